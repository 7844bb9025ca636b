//! Which ESIA organisation scope opens which part of `/rs/orgs/{id}`, and for whom.
//!
//! - the card: `org_shortname` → shortName, `org_fullname` → fullName, `org_type` → type
//!   (LEGAL | BUSINESS), `org_ogrn` → ogrn, `org_inn` → inn, `org_kpp` → kpp; stateFacts, oid and
//!   eTag come with any of them;
//! - `/ctts`: `org_ctts` (OPH the organisation's phone, OEM its e-mail);
//! - `/addrs`: `org_addrs` (OLG the legal address, OPS the postal one — where the card's actual address
//!   goes; the codes as portals read ESIA's organisation addresses);
//! - `/emps`: `org_emps`, and only for a portal's own (client_credentials) token or for a person
//!   who is the chief or an admin of the organisation.
//!
//! A token is good for an organisation only while that still holds: a person's token while the
//! person is a member (a removed member's tokens stop at once) and the person's consent to the
//! portal names the scope; a portal's own token while the organisation allows that portal (the
//! allowance revoked on the organisation's page stops it). A person's `usr_org` also shows the
//! card's names, OGRN and type of their own organisations (what `/rs/prns/{oid}/roles` tells).

use super::error::RestError;
use super::token::Grant;
use crate::ctx::Ctx;
use crate::identity::person_view;
use crate::orgs::Role;
use std::collections::BTreeSet;

/// What a token may read of one organisation.
#[derive(Debug, Clone)]
pub struct OrgAccess {
    scopes: BTreeSet<String>,
    /// A member's `usr_org`: the names, OGRN and type.
    names: bool,
    employees: bool,
}

impl OrgAccess {
    fn has(&self, s: &str) -> bool {
        self.scopes.contains(s)
    }
    pub fn short_name(&self) -> bool {
        self.names || self.has("org_shortname")
    }
    pub fn full_name(&self) -> bool {
        self.names || self.has("org_fullname")
    }
    pub fn kind(&self) -> bool {
        self.names || self.has("org_type")
    }
    pub fn ogrn(&self) -> bool {
        self.names || self.has("org_ogrn")
    }
    pub fn inn(&self) -> bool {
        self.has("org_inn")
    }
    pub fn kpp(&self) -> bool {
        self.has("org_kpp")
    }
    pub fn contacts(&self) -> bool {
        self.has("org_ctts")
    }
    pub fn addresses(&self) -> bool {
        self.has("org_addrs")
    }
    pub fn employees(&self) -> bool {
        self.employees
    }
}

/// The token's access to organisation `org_oid`, checked against the membership, the person's
/// consent or the organisation's allowance as they are now.
pub async fn resolve(ctx: &Ctx, grant: &Grant, org_oid: i64) -> Result<OrgAccess, RestError> {
    let asked = grant.org_scopes_for(org_oid);
    let Some(person_oid) = grant.subject() else {
        // The portal's own token (client_credentials).
        if asked.is_empty() {
            return Err(RestError::ScopeNotAllowed);
        }
        if !crate::orgs::allowances::allows(ctx, org_oid, grant.client_id()).await? {
            return Err(RestError::InvalidToken);
        }
        let employees = asked.contains("org_emps");
        return Ok(OrgAccess {
            scopes: asked,
            names: false,
            employees,
        });
    };
    let usr_org = grant.scopes_for(person_oid).contains("usr_org");
    if asked.is_empty() && !usr_org {
        return Err(RestError::ScopeNotAllowed);
    }
    let account = ctx
        .store
        .account_of_oid(person_oid)
        .await?
        .ok_or(RestError::InvalidToken)?;
    // Withdrawn consent stops the portal's tokens (as for the person's own resources).
    let given = person_view::consented_scopes(ctx, &account, grant.client_id())
        .await?
        .ok_or(RestError::InvalidToken)?;
    // And the consent for this organisation (withdrawn from its page: the scopes stop at once).
    let (for_org, _) =
        crate::orgs::portals::consent(ctx, &account, grant.client_id(), org_oid).await?;
    let scopes: BTreeSet<String> = asked
        .into_iter()
        .filter(|s| given.contains(s) && for_org.contains(s))
        .collect();
    let names = usr_org && given.contains("usr_org");
    if scopes.is_empty() && !names {
        return Err(RestError::ScopeNotAllowed);
    }
    let role = ctx
        .store
        .org_role(org_oid, &account)
        .await?
        .and_then(|r| Role::parse(&r))
        .ok_or(RestError::ScopeNotAllowed)?;
    let employees = scopes.contains("org_emps") && role.manages();
    Ok(OrgAccess {
        scopes,
        names,
        employees,
    })
}

#[cfg(test)]
impl OrgAccess {
    pub fn for_tests(scopes: &[&str], names: bool, employees: bool) -> OrgAccess {
        OrgAccess {
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            names,
            employees,
        }
    }
}
