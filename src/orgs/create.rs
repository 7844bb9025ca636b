//! Creating an organisation. Only a person at the confirmed level may.
//! - A legal entity: its head signs a challenge (purpose `org`, tied to the account) with a
//!   qualified certificate — GOST or RSA/ECDSA, verified by `crypto::qes` like signature login —
//!   that names the organisation (OGRN 1.2.643.100.1; INN 1.2.643.100.4, or 1.2.643.3.131.1.1 in
//!   older certificates) and the person (its SNILS equals the account's verified SNILS).
//! - A sole trader: OGRNIP + the person's own INN.
//!
//! Both are then checked by the legal-entity register (`register`). An OGRN already registered is
//! not created twice: its head signing again takes over the chief role when already a member (a
//! change of head); anyone else is told whom to contact.

use super::register::{self, OrgAnswer, OrgCheck};
use super::{BUSINESS, LEGAL, OrgError, Role, commit};
use crate::authn::qes::login::{issue_challenge, take_challenge, verify};
use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::orgs::{NewOrg, OrgRow};
use crate::types::Level;
use crate::types::validation::{Inn, Ogrn, Ogrnip};

/// OIDs of the subject attributes a legal entity's certificate carries (FSB Order No. 795).
pub const OID_OGRN: &str = "1.2.643.100.1";
pub const OID_INN_LE: &str = "1.2.643.100.4";
pub const OID_INN_OLD: &str = "1.2.643.3.131.1.1";
const OID_ORGANISATION: &str = "2.5.4.10";
const OID_COMMON_NAME: &str = "2.5.4.3";
const PURPOSE: &str = "org";

/// What a creation did.
#[derive(Debug, Clone)]
pub enum Created {
    /// A new organisation with the person as its chief.
    New(OrgRow),
    /// The organisation existed and the person, a member named as head by the certificate, is now
    /// its chief (the previous chief stays as an admin).
    BecameChief(OrgRow),
}

impl Created {
    pub fn org(&self) -> &OrgRow {
        match self {
            Created::New(o) | Created::BecameChief(o) => o,
        }
    }
}

/// A challenge for the person to sign (5 minutes, single use, this account only).
pub async fn challenge(ctx: &Ctx, account_id: &str) -> Result<String, CacheError> {
    issue_challenge(ctx, PURPOSE, account_id).await
}

/// Creates a legal entity from a signature over `challenge` (see the module comment).
pub async fn legal_entity(
    ctx: &Ctx,
    account_id: &str,
    challenge: &str,
    signature: &[u8],
) -> Result<Created, OrgError> {
    require_confirmed(ctx, account_id).await?;
    if !take_challenge(ctx, PURPOSE, challenge, account_id).await? {
        return Err(OrgError::Challenge);
    }
    let verified = verify(ctx, challenge, signature).await?;
    let snils = verified_identifier(ctx, account_id, "snils")
        .await?
        .ok_or(OrgError::NoVerifiedSnils)?;
    if !crypto::ct_eq(&snils, verified.snils.as_str()) {
        return Err(OrgError::NotHead);
    }
    let attr = |oid: &str| {
        verified
            .attributes
            .iter()
            .find(|(o, _)| o == oid)
            .map(|(_, v)| v.trim().to_string())
    };
    let ogrn = attr(OID_OGRN)
        .filter(|v| v.parse::<Ogrn>().is_ok())
        .ok_or(OrgError::NoOrganisation)?;
    let inn = attr(OID_INN_LE)
        .or_else(|| attr(OID_INN_OLD).map(|v| v.strip_prefix("00").unwrap_or(&v).to_string()))
        .and_then(|v| v.parse::<Inn>().ok())
        .filter(|i| !i.is_personal())
        .ok_or(OrgError::NoOrganisation)?;
    let name = attr(OID_ORGANISATION)
        .or_else(|| attr(OID_COMMON_NAME))
        .filter(|n| !n.is_empty())
        .ok_or(OrgError::NoOrganisation)?;
    if let Some(existing) = ctx.store.org_by_ogrn(&ogrn).await? {
        return take_over_or_refuse(ctx, account_id, existing, &verified.fingerprint).await;
    }
    let check = OrgCheck {
        check_id: crate::store::new_id(),
        register: "egrul",
        ogrn: ogrn.clone(),
        inn: inn.as_str().to_string(),
        name: name.clone(),
    };
    let (kpp, full_name) = ask_register(ctx, &check).await?;
    let full_name = full_name.unwrap_or_else(|| name.clone());
    let new = NewOrg {
        kind: LEGAL,
        ogrn: &ogrn,
        inn: inn.as_str(),
        kpp: &kpp,
        short_name: &name,
        full_name: &full_name,
    };
    insert(ctx, account_id, new, &verified.fingerprint).await
}

/// Creates a sole trader's organisation from OGRNIP and the person's own INN (12 digits; when the
/// account has a verified INN, it must be that one).
pub async fn sole_trader(
    ctx: &Ctx,
    account_id: &str,
    ogrnip: &str,
    inn: &str,
) -> Result<Created, OrgError> {
    require_confirmed(ctx, account_id).await?;
    let ogrnip = ogrnip.trim();
    if ogrnip.parse::<Ogrnip>().is_err() {
        return Err(OrgError::BadRequisites);
    }
    let inn: Inn = inn.parse().map_err(|_| OrgError::BadRequisites)?;
    if !inn.is_personal() {
        return Err(OrgError::BadRequisites);
    }
    if let Some(own) = verified_inn(ctx, account_id).await?
        && !crypto::ct_eq(&own, inn.as_str())
    {
        return Err(OrgError::InnNotYours);
    }
    if let Some(existing) = ctx.store.org_by_ogrn(ogrnip).await? {
        return Err(already_registered(ctx, &existing).await?);
    }
    let account = ctx
        .store
        .account(account_id)
        .await?
        .ok_or(OrgError::NotConfirmed)?;
    let person = [
        Some(account.surname.as_str()),
        Some(account.given_name.as_str()),
        account.patronymic.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let check = OrgCheck {
        check_id: crate::store::new_id(),
        register: "egrip",
        ogrn: ogrnip.to_string(),
        inn: inn.as_str().to_string(),
        name: person.clone(),
    };
    let (_, full_name) = ask_register(ctx, &check).await?;
    let short_name = format!("ИП {person}");
    let full_name = full_name.unwrap_or_else(|| format!("Индивидуальный предприниматель {person}"));
    let new = NewOrg {
        kind: BUSINESS,
        ogrn: ogrnip,
        inn: inn.as_str(),
        kpp: "",
        short_name: &short_name,
        full_name: &full_name,
    };
    insert(ctx, account_id, new, "").await
}

async fn require_confirmed(ctx: &Ctx, account_id: &str) -> Result<(), OrgError> {
    let account = ctx.store.account(account_id).await?;
    match account {
        Some(a) if Level::of(&a.level) >= Level::Confirmed => Ok(()),
        _ => Err(OrgError::NotConfirmed),
    }
}

async fn verified_identifier(
    ctx: &Ctx,
    account_id: &str,
    kind: &str,
) -> Result<Option<String>, StoreError> {
    Ok(ctx
        .store
        .identifiers(account_id)
        .await?
        .into_iter()
        .find(|i| i.kind == kind && i.verified_at.is_some())
        .map(|i| i.value))
}

/// The INN of the person's verified INN record, if any.
async fn verified_inn(ctx: &Ctx, account_id: &str) -> Result<Option<String>, StoreError> {
    Ok(ctx
        .store
        .documents_of(account_id)
        .await?
        .into_iter()
        .find(|d| d.kind == "inn" && d.status == "verified")
        .map(|d| d.field("number")))
}

async fn ask_register(ctx: &Ctx, check: &OrgCheck) -> Result<(String, Option<String>), OrgError> {
    match register::check(ctx, check).await {
        Ok(OrgAnswer::Found { kpp, full_name }) => Ok((kpp, full_name)),
        Ok(OrgAnswer::Rejected(reason)) => Err(OrgError::RegistryRejected(reason)),
        Ok(OrgAnswer::Pending) => Err(OrgError::RegistryPending),
        Err(e) => {
            tracing::warn!(error = %e, register = check.register, "legal-entity register check failed");
            Err(OrgError::RegistryUnavailable)
        }
    }
}

async fn insert(
    ctx: &Ctx,
    account_id: &str,
    new: NewOrg<'_>,
    certificate: &str,
) -> Result<Created, OrgError> {
    let ogrn = new.ogrn;
    let mut change = ctx.store.change().await?;
    let org = match change.create_org(new, account_id).await {
        Ok(o) => o,
        // Another head raced us to the same OGRN.
        Err(StoreError::Conflict) => {
            drop(change);
            return Err(match ctx.store.org_by_ogrn(ogrn).await? {
                Some(existing) => already_registered(ctx, &existing).await?,
                None => OrgError::AlreadyRegistered {
                    contact: String::new(),
                },
            });
        }
        Err(e) => return Err(e.into()),
    };
    commit(
        change,
        account_id,
        "org.created",
        org.oid,
        serde_json::json!({
            "kind": org.kind, "ogrn": org.ogrn, "inn": org.inn, "kpp": org.kpp,
            "full_name": org.full_name, "certificate": certificate,
        }),
    )
    .await?;
    Ok(Created::New(org))
}

/// The signer is named as head of an organisation already registered: a member becomes chief,
/// anyone else is refused with whom to contact.
async fn take_over_or_refuse(
    ctx: &Ctx,
    account_id: &str,
    org: OrgRow,
    certificate: &str,
) -> Result<Created, OrgError> {
    match ctx.store.org_role(org.oid, account_id).await?.as_deref() {
        Some("chief") => Ok(Created::BecameChief(org)),
        Some(_) => {
            let mut change = ctx.store.change().await?;
            if !change.hand_over_chief(org.oid, account_id).await? {
                // No longer a member (removed meanwhile): refused like anyone else.
                drop(change);
                return Err(already_registered(ctx, &org).await?);
            }
            commit(
                change,
                account_id,
                "org.chief_changed",
                org.oid,
                serde_json::json!({ "chief": account_id, "certificate": certificate }),
            )
            .await?;
            Ok(Created::BecameChief(org))
        }
        None => Err(already_registered(ctx, &org).await?),
    }
}

/// The refusal naming the chief (surname and initials) to contact.
async fn already_registered(ctx: &Ctx, org: &OrgRow) -> Result<OrgError, StoreError> {
    let members = ctx.store.org_members(org.oid).await?;
    let contact = members
        .iter()
        .find(|m| Role::parse(&m.role) == Some(Role::Chief))
        .map(|m| {
            let initial = |s: &str| {
                s.chars()
                    .next()
                    .map(|c| format!("{c}."))
                    .unwrap_or_default()
            };
            format!(
                "{} {}{}",
                m.surname,
                initial(&m.given_name),
                m.patronymic.as_deref().map(initial).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    Ok(OrgError::AlreadyRegistered { contact })
}
