//! Members of an organisation: the card, invitations (by e-mail or SNILS; 7 days, revocable,
//! single use, the invitee kept only as a keyed hash), removing members, leaving, roles, and what
//! deleting a person does. Who may do what:
//! - any member sees the card and the members;
//! - the chief and admins edit the card, invite and revoke invitations, and remove employees;
//! - only the chief invites admins, removes admins and changes roles;
//! - the chief cannot be removed and cannot leave (a new head takes over by signing, `create`).

use super::{OrgError, Role, audit, commit, managed, membership};
use crate::crypto;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::orgs::{InvitationRow, NewInvitation, OrgCard};
use crate::types::validation::Snils;
use crate::types::{Contact, Email};

/// How long an invitation may be accepted, seconds.
pub const INVITATION_TTL: i64 = 7 * 24 * 3600;
/// The longest text a card field holds.
pub const MAX_FIELD: usize = 500;

/// Whom an invitation is for.
#[derive(Debug, Clone)]
pub enum Invitee {
    Email(Email),
    Snils(Snils),
}

impl Invitee {
    /// One input serves both: anything with '@' is an e-mail, anything else must be a SNILS.
    pub fn parse(input: &str) -> Result<Invitee, OrgError> {
        if input.contains('@') {
            input
                .parse()
                .map(Invitee::Email)
                .map_err(|_| OrgError::BadInvitee)
        } else {
            input
                .parse()
                .map(Invitee::Snils)
                .map_err(|_| OrgError::BadInvitee)
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Invitee::Email(_) => "email",
            Invitee::Snils(_) => "snils",
        }
    }

    fn hash(&self) -> String {
        match self {
            Invitee::Email(e) => invitee_hash("email", e.as_str()),
            Invitee::Snils(s) => invitee_hash("snils", s.as_str()),
        }
    }

    fn masked(&self) -> String {
        match self {
            Invitee::Email(e) => e.masked(),
            Invitee::Snils(s) => format!("***-***-{}", &s.to_string()[8..]),
        }
    }
}

fn invitee_hash(kind: &str, value: &str) -> String {
    crypto::hash_secret("org-invitee", &format!("{kind}:{value}"))
}

/// Writes the card's editable fields (chief and admins); registry-checked fields are not among them.
pub async fn edit_card(ctx: &Ctx, actor: &str, oid: i64, card: OrgCard) -> Result<(), OrgError> {
    let (org, _) = managed(ctx, oid, actor).await?;
    let card = OrgCard {
        short_name: card.short_name.trim().to_string(),
        legal_address: card.legal_address.trim().to_string(),
        actual_address: card.actual_address.trim().to_string(),
        phone: card.phone.trim().to_string(),
        email: card.email.trim().to_string(),
        hours: card.hours.trim().to_string(),
        site: card.site.trim().to_string(),
        okpo: card.okpo.trim().to_string(),
        okved: card.okved.trim().to_string(),
    };
    let fields = [
        &card.short_name,
        &card.legal_address,
        &card.actual_address,
        &card.phone,
        &card.email,
        &card.hours,
        &card.site,
        &card.okpo,
        &card.okved,
    ];
    if fields
        .iter()
        .any(|f| f.chars().count() > MAX_FIELD || f.chars().any(char::is_control))
    {
        return Err(OrgError::FieldTooLong);
    }
    let card = OrgCard {
        short_name: if card.short_name.is_empty() {
            org.short_name.clone()
        } else {
            card.short_name
        },
        ..card
    };
    let mut change = ctx.store.change().await?;
    change.update_org_card(oid, &card).await?;
    commit(
        change,
        actor,
        "org.card_changed",
        oid,
        serde_json::to_value(&card).unwrap_or_default(),
    )
    .await?;
    Ok(())
}

/// Invites a person (chief: as admin or employee; admin: as employee). An e-mail invitee is told
/// by e-mail; a SNILS invitee finds it in their account.
pub async fn invite(
    ctx: &Ctx,
    actor: &str,
    oid: i64,
    invitee: &Invitee,
    role: Role,
) -> Result<InvitationRow, OrgError> {
    let (org, actor_role) = managed(ctx, oid, actor).await?;
    match role {
        Role::Chief => return Err(OrgError::Forbidden),
        Role::Admin if actor_role != Role::Chief => return Err(OrgError::Forbidden),
        _ => {}
    }
    let mut change = ctx.store.change().await?;
    let row = change
        .create_org_invitation(NewInvitation {
            org_oid: oid,
            invitee_kind: invitee.kind(),
            invitee_hash: &invitee.hash(),
            invitee_masked: &invitee.masked(),
            role: role.as_str(),
            invited_by: actor,
            expires_at: ctx.clock.now() + INVITATION_TTL,
        })
        .await?;
    commit(
        change,
        actor,
        "org.invitation_created",
        oid,
        serde_json::json!({ "invitation": row.id, "invitee": row.invitee_masked, "role": row.role }),
    )
    .await?;
    if let Invitee::Email(e) = invitee {
        let body = format!(
            "Вас пригласили в организацию «{}» на портале vhod. Войдите в личный кабинет, раздел \
             «Организации», чтобы принять или отклонить приглашение. Оно действует 7 дней.",
            org.short_name
        );
        ctx.notifier
            .send(
                &Contact::Email(e.clone()),
                "Приглашение в организацию",
                &body,
            )
            .await?;
    }
    Ok(row)
}

/// Revokes an open invitation (chief and admins).
pub async fn revoke_invitation(
    ctx: &Ctx,
    actor: &str,
    oid: i64,
    invitation: &str,
) -> Result<(), OrgError> {
    managed(ctx, oid, actor).await?;
    let mut change = ctx.store.change().await?;
    if !change.revoke_org_invitation(oid, invitation).await? {
        return Err(OrgError::InvitationClosed);
    }
    commit(
        change,
        actor,
        "org.invitation_revoked",
        oid,
        serde_json::json!({ "invitation": invitation }),
    )
    .await?;
    Ok(())
}

/// The hashes of the account's verified e-mail and SNILS, as invitations name them.
async fn own_hashes(ctx: &Ctx, account_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(ctx
        .store
        .identifiers(account_id)
        .await?
        .into_iter()
        .filter(|i| i.verified_at.is_some() && matches!(i.kind.as_str(), "email" | "snils"))
        .map(|i| invitee_hash(&i.kind, &i.value))
        .collect())
}

/// The open invitations addressed to this person.
pub async fn invitations_for(
    ctx: &Ctx,
    account_id: &str,
) -> Result<Vec<InvitationRow>, StoreError> {
    let hashes = own_hashes(ctx, account_id).await?;
    ctx.store.open_invitations_for(&hashes).await
}

/// The invitation when it is open and addressed to this person, else `InvitationClosed`.
async fn own_invitation(ctx: &Ctx, account_id: &str, id: &str) -> Result<InvitationRow, OrgError> {
    let inv = ctx
        .store
        .org_invitation(id)
        .await?
        .ok_or(OrgError::InvitationClosed)?;
    let hashes = own_hashes(ctx, account_id).await?;
    if !hashes.iter().any(|h| crypto::ct_eq(h, &inv.invitee_hash)) {
        return Err(OrgError::InvitationClosed);
    }
    Ok(inv)
}

/// Accepts an invitation addressed to this person: a member with its role from now on.
pub async fn accept(ctx: &Ctx, account_id: &str, id: &str) -> Result<i64, OrgError> {
    let inv = own_invitation(ctx, account_id, id).await?;
    let mut change = ctx.store.change().await?;
    if !change.accept_org_invitation(&inv, account_id).await? {
        return Err(OrgError::InvitationClosed);
    }
    commit(
        change,
        account_id,
        "org.member_joined",
        inv.org_oid,
        serde_json::json!({ "invitation": inv.id, "member": account_id, "role": inv.role }),
    )
    .await?;
    Ok(inv.org_oid)
}

/// Declines an invitation addressed to this person.
pub async fn decline(ctx: &Ctx, account_id: &str, id: &str) -> Result<(), OrgError> {
    let inv = own_invitation(ctx, account_id, id).await?;
    let mut change = ctx.store.change().await?;
    if !change.revoke_org_invitation(inv.org_oid, &inv.id).await? {
        return Err(OrgError::InvitationClosed);
    }
    commit(
        change,
        account_id,
        "org.invitation_declined",
        inv.org_oid,
        serde_json::json!({ "invitation": inv.id }),
    )
    .await?;
    Ok(())
}

/// Removes a member: the chief removes admins and employees, an admin employees only.
pub async fn remove(ctx: &Ctx, actor: &str, oid: i64, member: &str) -> Result<(), OrgError> {
    let (_, actor_role) = managed(ctx, oid, actor).await?;
    let target = ctx
        .store
        .org_role(oid, member)
        .await?
        .and_then(|r| Role::parse(&r))
        .ok_or(OrgError::NoSuchMember)?;
    match (actor_role, target) {
        (_, Role::Chief) => return Err(OrgError::ChiefStays),
        (Role::Admin, Role::Admin) => return Err(OrgError::Forbidden),
        _ => {}
    }
    let mut change = ctx.store.change().await?;
    if !change.remove_org_member(oid, member).await? {
        return Err(OrgError::NoSuchMember);
    }
    commit(
        change,
        actor,
        "org.member_removed",
        oid,
        serde_json::json!({ "member": member, "role": target.as_str() }),
    )
    .await?;
    Ok(())
}

/// Leaves an organisation (anyone but the chief).
pub async fn leave(ctx: &Ctx, account_id: &str, oid: i64) -> Result<(), OrgError> {
    let (_, role) = membership(ctx, oid, account_id).await?;
    if role == Role::Chief {
        return Err(OrgError::ChiefStays);
    }
    let mut change = ctx.store.change().await?;
    if !change.remove_org_member(oid, account_id).await? {
        return Err(OrgError::NotMember);
    }
    commit(
        change,
        account_id,
        "org.member_left",
        oid,
        serde_json::json!({ "member": account_id, "role": role.as_str() }),
    )
    .await?;
    Ok(())
}

/// The chief makes a member an admin or an employee.
pub async fn set_role(
    ctx: &Ctx,
    actor: &str,
    oid: i64,
    member: &str,
    role: Role,
) -> Result<(), OrgError> {
    let (_, actor_role) = membership(ctx, oid, actor).await?;
    if actor_role != Role::Chief || role == Role::Chief {
        return Err(OrgError::Forbidden);
    }
    let mut change = ctx.store.change().await?;
    if !change.set_org_role(oid, member, role.as_str()).await? {
        return Err(OrgError::NoSuchMember);
    }
    commit(
        change,
        actor,
        "org.role_changed",
        oid,
        serde_json::json!({ "member": member, "role": role.as_str() }),
    )
    .await?;
    Ok(())
}

/// Before a person's account is deleted: audits each membership the deletion removes (the rows
/// go by cascade) and flags an organisation it leaves without a chief, the flag and its entry in
/// one change (`orgs_without_chief` lists them for operators).
pub async fn forget_person(ctx: &Ctx, account_id: &str) -> Result<(), StoreError> {
    for m in ctx.store.memberships(account_id).await? {
        audit(
            ctx,
            account_id,
            "org.member_removed",
            m.oid,
            serde_json::json!({ "member": account_id, "role": m.role, "reason": "account_deleted" }),
        )
        .await?;
        if m.role == Role::Chief.as_str() {
            tracing::warn!(
                org = m.oid,
                "organisation left without a chief: its chief's account is being deleted"
            );
            let mut change = ctx.store.change().await?;
            change.flag_chief_lost(m.oid).await?;
            commit(
                change,
                account_id,
                "org.without_chief",
                m.oid,
                serde_json::json!({ "reason": "account_deleted" }),
            )
            .await?;
        }
    }
    Ok(())
}
