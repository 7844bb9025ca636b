//! Organisations (REQUIREMENTS §6): legal entities (ЮЛ, created by their head with a qualified
//! signature naming the organisation) and sole traders (ИП, by OGRNIP + INN), both checked by the
//! legal-entity register; their members with the roles chief, admin and employee; invitations;
//! and what a portal learns when a person signs in for an organisation (`claim`).
//! Every change is audited (target `org:{oid}`).

pub mod allowances;
pub mod create;
pub mod members;
pub mod portals;
pub mod register;

use crate::cache::CacheError;
use crate::crypto::qes::QesError;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::audit::AuditEntry;
use crate::store::change::Change;
use crate::store::orgs::{MembershipRow, OrgRow};

/// ЮЛ, as ESIA's `type` names it.
pub const LEGAL: &str = "LEGAL";
/// ИП.
pub const BUSINESS: &str = "BUSINESS";

/// A member's role. The chief is the head (one per organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Chief,
    Admin,
    Employee,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Chief => "chief",
            Role::Admin => "admin",
            Role::Employee => "employee",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "chief" => Some(Role::Chief),
            "admin" => Some(Role::Admin),
            "employee" => Some(Role::Employee),
            _ => None,
        }
    }

    /// Chief and admins manage the card, invitations and employees.
    pub fn manages(self) -> bool {
        matches!(self, Role::Chief | Role::Admin)
    }
}

/// Why an organisation request was refused. Each maps to a message (`orgs.err.*`).
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("only a person at the confirmed level may create an organisation")]
    NotConfirmed,
    #[error("challenge unknown, expired or already used")]
    Challenge,
    #[error(transparent)]
    Signature(#[from] QesError),
    #[error("the account has no verified SNILS")]
    NoVerifiedSnils,
    #[error("the certificate names another person as head")]
    NotHead,
    #[error("the certificate names no organisation (OGRN and INN)")]
    NoOrganisation,
    #[error("the organisation is already registered")]
    AlreadyRegistered {
        /// Whom to contact (the chief's name), or empty when it has no chief.
        contact: String,
    },
    #[error("the register refused: {0}")]
    RegistryRejected(String),
    #[error("the register has not answered yet")]
    RegistryPending,
    #[error("the register is unavailable")]
    RegistryUnavailable,
    #[error("OGRNIP or INN is not valid")]
    BadRequisites,
    #[error("the INN is not the person's verified INN")]
    InnNotYours,
    #[error("no such organisation, or not a member")]
    NotMember,
    #[error("the role does not allow this")]
    Forbidden,
    #[error("the chief cannot be removed or leave; hand the role over first")]
    ChiefStays,
    #[error("no such member")]
    NoSuchMember,
    #[error("the invitee is not a valid e-mail or SNILS")]
    BadInvitee,
    #[error("the invitation is unknown, used, revoked or expired")]
    InvitationClosed,
    #[error("a card field is too long")]
    FieldTooLong,
    #[error("no such ESIA portal, or not allowed for the organisation")]
    UnknownPortal,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl OrgError {
    /// The i18n key shown to the person; `None` for internal failures.
    pub fn message_key(&self) -> Option<&'static str> {
        Some(match self {
            OrgError::NotConfirmed => "orgs.err.not_confirmed",
            OrgError::Challenge => "orgs.err.challenge",
            OrgError::Signature(e) => e.message_key(),
            OrgError::NoVerifiedSnils => "orgs.err.no_verified_snils",
            OrgError::NotHead => "orgs.err.not_head",
            OrgError::NoOrganisation => "orgs.err.no_organisation",
            OrgError::AlreadyRegistered { .. } => "orgs.err.already_registered",
            OrgError::RegistryRejected(_) => "orgs.err.registry_rejected",
            OrgError::RegistryPending => "orgs.err.registry_pending",
            OrgError::RegistryUnavailable => "orgs.err.registry_unavailable",
            OrgError::BadRequisites => "orgs.err.bad_requisites",
            OrgError::InnNotYours => "orgs.err.inn_not_yours",
            OrgError::NotMember => "orgs.err.not_member",
            OrgError::Forbidden => "orgs.err.forbidden",
            OrgError::ChiefStays => "orgs.err.chief_stays",
            OrgError::NoSuchMember => "orgs.err.no_such_member",
            OrgError::BadInvitee => "orgs.err.bad_invitee",
            OrgError::InvitationClosed => "orgs.err.invitation_closed",
            OrgError::FieldTooLong => "orgs.err.field_too_long",
            OrgError::UnknownPortal => "orgs.err.unknown_portal",
            OrgError::Store(_) | OrgError::Cache(_) => return None,
        })
    }
}

/// The organisation and the person's role in it; `NotMember` when either is missing (a stranger
/// learns nothing about which organisations exist).
pub async fn membership(ctx: &Ctx, oid: i64, account_id: &str) -> Result<(OrgRow, Role), OrgError> {
    let role = ctx
        .store
        .org_role(oid, account_id)
        .await?
        .and_then(|r| Role::parse(&r))
        .ok_or(OrgError::NotMember)?;
    let org = ctx.store.org(oid).await?.ok_or(OrgError::NotMember)?;
    Ok((org, role))
}

/// The membership when the role manages the organisation (chief or admin), else `Forbidden`.
pub async fn managed(ctx: &Ctx, oid: i64, account_id: &str) -> Result<(OrgRow, Role), OrgError> {
    let (org, role) = membership(ctx, oid, account_id).await?;
    if !role.manages() {
        return Err(OrgError::Forbidden);
    }
    Ok((org, role))
}

/// The `org` claim a portal receives when the person acts for this organisation:
/// {id, type, ogrn, inn, kpp, short_name, role}.
pub fn claim(m: &MembershipRow) -> serde_json::Value {
    serde_json::json!({
        "id": m.oid,
        "type": m.kind,
        "ogrn": m.ogrn,
        "inn": m.inn,
        "kpp": m.kpp,
        "short_name": m.short_name,
        "role": m.role,
    })
}

/// The `org` claim for one of the person's organisations, or None when not (or no longer) a member.
pub async fn claim_for(
    ctx: &Ctx,
    account_id: &str,
    oid: i64,
) -> Result<Option<serde_json::Value>, StoreError> {
    Ok(ctx
        .store
        .memberships(account_id)
        .await?
        .iter()
        .find(|m| m.oid == oid)
        .map(claim))
}

/// Commits `change` with its audit entry about organisation `oid`: both or neither.
pub(crate) async fn commit(
    change: Change<'_>,
    actor: &str,
    action: &str,
    oid: i64,
    details: serde_json::Value,
) -> Result<(), StoreError> {
    change
        .commit(AuditEntry {
            actor,
            action,
            target: &format!("org:{oid}"),
            request_id: &crate::request_id::current(),
            details,
        })
        .await?;
    Ok(())
}

/// An entry about organisation `oid` that records no change of its own (written before the
/// account deletion that removes the membership: `members::forget_person`).
pub(crate) async fn audit(
    ctx: &Ctx,
    actor: &str,
    action: &str,
    oid: i64,
    details: serde_json::Value,
) -> Result<(), StoreError> {
    ctx.store
        .append_audit(AuditEntry {
            actor,
            action,
            target: &format!("org:{oid}"),
            request_id: &crate::request_id::current(),
            details,
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{Arg, Lang, Tr};

    #[test]
    fn every_refusal_reads_in_both_languages() {
        let errors = [
            OrgError::NotConfirmed,
            OrgError::Challenge,
            OrgError::Signature(QesError::Untrusted),
            OrgError::NoVerifiedSnils,
            OrgError::NotHead,
            OrgError::NoOrganisation,
            OrgError::AlreadyRegistered {
                contact: "Иванов И.".into(),
            },
            OrgError::RegistryRejected("нет".into()),
            OrgError::RegistryPending,
            OrgError::RegistryUnavailable,
            OrgError::BadRequisites,
            OrgError::InnNotYours,
            OrgError::NotMember,
            OrgError::Forbidden,
            OrgError::ChiefStays,
            OrgError::NoSuchMember,
            OrgError::BadInvitee,
            OrgError::InvitationClosed,
            OrgError::FieldTooLong,
            OrgError::UnknownPortal,
        ];
        for lang in [Lang::Ru, Lang::En] {
            for e in &errors {
                let key = e.message_key().expect("a refusal has a message");
                let text = Tr::new(lang).f(key, &[("contact", Arg::Text("Иванов И."))]);
                assert_ne!(text, key, "{lang:?}: {key} untranslated");
                assert!(!text.is_empty());
            }
        }
        let t = Tr::new(Lang::Ru).f(
            "orgs.err.already_registered",
            &[("contact", Arg::Text("Иванов И."))],
        );
        assert!(t.contains("Иванов И."), "{t}");
    }
}
