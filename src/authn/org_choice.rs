//! The organisation choice step of a pending authorization request (issue 14): after sign-in,
//! when the portal asked for an organisation, the person picks one of their organisations (or
//! «как частное лицо» when the portal allows it) on a page. Protocol-neutral: the OpenID surface
//! fills [`OrgRequest`] from scope `organization` / `claims`, the ESIA surface from its org scopes;
//! both call [`step`] once the session will do, show the page at [`page_url`] for
//! [`OrgStep::Choose`], and read the choice back from the request when the browser returns to
//! `Protocol::continue_url`.

use super::login_tx::{AuthRequest, load_tx, update_tx};
use crate::cache::CacheError;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::orgs::MembershipRow;
use serde::{Deserialize, Serialize};

/// What the portal asked about organisations, and the person's choice so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRequest {
    /// The portal asked for an organisation (OpenID scope `organization` or a `claims` request
    /// for `org`; ESIA's organisation scopes).
    #[serde(default)]
    pub asked: bool,
    /// The portal accepts only a sign-in for an organisation: no «как частное лицо».
    #[serde(default)]
    pub required: bool,
    /// Only organisations with one of these OGRN / OGRNIP may be chosen (empty: any).
    #[serde(default)]
    pub ogrns: Vec<String>,
    /// Only organisations with one of these oids may be chosen (empty: any).
    #[serde(default)]
    pub oids: Vec<i64>,
    /// The choice made on the page, and by whom (a choice is never carried over to another person).
    #[serde(default)]
    pub chosen: Option<Chosen>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chosen {
    pub account_id: String,
    /// The organisation; `None` = as a private person.
    pub oid: Option<i64>,
}

impl OrgRequest {
    /// An organisation is asked for, with these filters (the ESIA surface's constructor).
    pub fn ask(required: bool, ogrns: Vec<String>, oids: Vec<i64>) -> OrgRequest {
        OrgRequest {
            asked: true,
            required,
            ogrns,
            oids,
            chosen: None,
        }
    }

    /// Whether the organisation passes the portal's filters.
    pub fn allows(&self, m: &MembershipRow) -> bool {
        (self.ogrns.is_empty() || self.ogrns.contains(&m.ogrn))
            && (self.oids.is_empty() || self.oids.contains(&m.oid))
    }

    /// The chosen organisation of `account_id`, if the choice was theirs and was an organisation.
    pub fn chosen_org(&self, account_id: &str) -> Option<i64> {
        self.chosen
            .as_ref()
            .filter(|c| c.account_id == account_id)
            .and_then(|c| c.oid)
    }
}

/// What the request needs about organisations next.
#[derive(Debug, PartialEq, Eq)]
pub enum OrgStep {
    /// The portal did not ask: the sign-in is the person's own.
    NotAsked,
    /// Decided: `Some(oid)` for that organisation, `None` as a private person.
    Decided(Option<i64>),
    /// The person chooses on the page ([`page_url`]).
    Choose,
    /// The portal requires an organisation and the person has none that it accepts: a refusal
    /// page, and `access_denied` back to the portal.
    NoOrganisation,
}

/// The person's organisations this request accepts, with the role in each.
pub async fn options(
    ctx: &Ctx,
    org: &OrgRequest,
    account_id: &str,
) -> Result<Vec<MembershipRow>, StoreError> {
    Ok(ctx
        .store
        .memberships(account_id)
        .await?
        .into_iter()
        .filter(|m| org.allows(m))
        .collect())
}

/// The next organisation step for `req` and the signed-in `account_id`. A choice made earlier is
/// checked again (the person may have left the organisation since).
pub async fn step(ctx: &Ctx, req: &AuthRequest, account_id: &str) -> Result<OrgStep, StoreError> {
    let org = &req.org;
    if !org.asked {
        return Ok(OrgStep::NotAsked);
    }
    let options = options(ctx, org, account_id).await?;
    if let Some(c) = org.chosen.as_ref().filter(|c| c.account_id == account_id) {
        match c.oid {
            Some(oid) if options.iter().any(|m| m.oid == oid) => {
                return Ok(OrgStep::Decided(Some(oid)));
            }
            None if !org.required => return Ok(OrgStep::Decided(None)),
            _ => {}
        }
    }
    Ok(match (options.is_empty(), org.required) {
        (true, true) => OrgStep::NoOrganisation,
        // Nothing to choose from but the person themself.
        (true, false) => OrgStep::Decided(None),
        // Even one organisation is shown: the person must know whom they act for.
        (false, _) => OrgStep::Choose,
    })
}

/// Where the choice page of the pending request `tx` is.
pub fn page_url(tx: &str) -> String {
    format!("/org-choice?tx={tx}")
}

#[derive(Debug, thiserror::Error)]
pub enum ChoiceError {
    #[error("the pending request is unknown or expired")]
    TxExpired,
    #[error("this organisation cannot be chosen for this request")]
    NotAllowed,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// Records the person's choice on the pending request `tx` (`None` = as a private person) and
/// returns the request, whose `protocol.continue_url(tx)` continues it.
pub async fn choose(
    ctx: &Ctx,
    tx: &str,
    account_id: &str,
    oid: Option<i64>,
) -> Result<AuthRequest, ChoiceError> {
    let mut req = load_tx(ctx, tx).await?.ok_or(ChoiceError::TxExpired)?;
    if !req.org.asked {
        return Err(ChoiceError::NotAllowed);
    }
    match oid {
        None if req.org.required => return Err(ChoiceError::NotAllowed),
        None => {}
        Some(oid) => {
            let options = options(ctx, &req.org, account_id).await?;
            if !options.iter().any(|m| m.oid == oid) {
                return Err(ChoiceError::NotAllowed);
            }
        }
    }
    req.org.chosen = Some(Chosen {
        account_id: account_id.to_string(),
        oid,
    });
    update_tx(ctx, tx, &req).await?;
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(oid: i64, ogrn: &str) -> MembershipRow {
        MembershipRow {
            oid,
            kind: "LEGAL".into(),
            ogrn: ogrn.into(),
            inn: String::new(),
            kpp: String::new(),
            short_name: String::new(),
            full_name: String::new(),
            role: "employee".into(),
        }
    }

    #[test]
    fn filters_by_ogrn_and_oid_and_a_choice_is_only_its_maker_s() {
        let any = OrgRequest::ask(false, vec![], vec![]);
        assert!(any.allows(&member(1, "1027700000001")));
        let by_ogrn = OrgRequest::ask(true, vec!["1027700000001".into()], vec![]);
        assert!(by_ogrn.allows(&member(1, "1027700000001")));
        assert!(!by_ogrn.allows(&member(2, "1027700000002")));
        let by_oid = OrgRequest::ask(true, vec![], vec![2]);
        assert!(!by_oid.allows(&member(1, "1027700000001")));
        assert!(by_oid.allows(&member(2, "1027700000002")));
        let mut chosen = any.clone();
        chosen.chosen = Some(Chosen {
            account_id: "a".into(),
            oid: Some(7),
        });
        assert_eq!(chosen.chosen_org("a"), Some(7));
        assert_eq!(chosen.chosen_org("b"), None);
    }
}
