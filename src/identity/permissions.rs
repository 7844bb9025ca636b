//! «Разрешения доступа к персональным данным» (REQUIREMENTS §5): the portals a person let read
//! their data, and taking such a permission back (the consent and the portal's grants at once,
//! with an audit entry).

use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::audit::AuditEntry;
use crate::types::AccountId;

/// A portal the person gave a permission to.
#[derive(Debug, Clone)]
pub struct Permission {
    pub client_id: String,
    pub client_name: String,
    /// The scopes allowed, space-separated as stored.
    pub scopes: String,
    /// When it was given (unix seconds).
    pub since: i64,
}

/// A permission the person gave a portal while acting for one of their organisations (consent
/// per portal and organisation, migration 0085).
#[derive(Debug, Clone)]
pub struct OrgPermission {
    pub client_id: String,
    pub client_name: String,
    pub org_oid: i64,
    /// The organisation's short name.
    pub org_name: String,
    pub scopes: String,
    pub since: i64,
}

/// What became of a withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawal {
    /// The consent is gone, the portal's grants are revoked and the audit log says so.
    Withdrawn,
    /// There was no such permission (already withdrawn, or never given): nothing changed.
    NotGiven,
}

/// The permissions the account has given.
pub async fn of(ctx: &Ctx, account_id: &AccountId) -> Result<Vec<Permission>, StoreError> {
    Ok(ctx
        .store
        .consents_of(account_id)
        .await?
        .into_iter()
        .map(|(client_id, client_name, scopes, since)| Permission {
            client_id,
            client_name,
            scopes,
            since,
        })
        .collect())
}

/// Withdraws the account's permission for `client_id`: the consent and the portal's grants go in
/// one transaction, then the withdrawal is audited (actor and subject: the person).
pub async fn withdraw(
    ctx: &Ctx,
    account_id: &AccountId,
    client_id: &str,
) -> Result<Withdrawal, StoreError> {
    if !ctx.store.withdraw_consent(account_id, client_id).await? {
        return Ok(Withdrawal::NotGiven);
    }
    ctx.store
        .append_audit(AuditEntry {
            actor: account_id,
            action: "consent.withdraw",
            target: client_id,
            request_id: &crate::request_id::current(),
            details: serde_json::json!({ "account": account_id }),
        })
        .await?;
    Ok(Withdrawal::Withdrawn)
}

/// The permissions the account gave on behalf of its organisations.
pub async fn of_orgs(ctx: &Ctx, account_id: &AccountId) -> Result<Vec<OrgPermission>, StoreError> {
    Ok(ctx
        .store
        .org_consents_of(account_id)
        .await?
        .into_iter()
        .map(|r| OrgPermission {
            client_id: r.client_id,
            client_name: r.client_name,
            org_oid: r.org_oid,
            org_name: r.org_name,
            scopes: r.scopes,
            since: r.granted_at,
        })
        .collect())
}

/// Withdraws the account's own permission for `client_id` on behalf of organisation `oid`: that
/// consent and the person's grants at the portal for the organisation end in one transaction
/// (the others' consents for the organisation stay), then the withdrawal is audited.
pub async fn withdraw_for_org(
    ctx: &Ctx,
    account_id: &AccountId,
    client_id: &str,
    oid: i64,
) -> Result<Withdrawal, StoreError> {
    if !ctx
        .store
        .withdraw_own_org_consent(account_id, client_id, oid)
        .await?
    {
        return Ok(Withdrawal::NotGiven);
    }
    ctx.store
        .append_audit(AuditEntry {
            actor: account_id,
            action: "consent.withdraw",
            target: client_id,
            request_id: &crate::request_id::current(),
            details: serde_json::json!({ "account": account_id, "org": oid }),
        })
        .await?;
    Ok(Withdrawal::Withdrawn)
}

/// How many times a consent is read and widened again when it changed in between (someone gave
/// the same portal a consent at the same moment); past that the store answers a conflict.
pub const ATTEMPTS: usize = 8;

/// The space-separated words of `had` followed by those of `add` it lacks, in order.
pub fn widened(had: &str, add: &[String]) -> String {
    let mut all: Vec<&str> = had.split(' ').filter(|x| !x.is_empty()).collect();
    for word in add {
        if !all.contains(&word.as_str()) {
            all.push(word);
        }
    }
    all.join(" ")
}

/// Gives (or widens) the permission: the portal may from now on read `scopes` and the claims
/// named one by one, in addition to what the person allowed before — also when another consent
/// for the same portal is given at the same moment (the write happens only if the consent is
/// still what was read; otherwise it is read and widened again).
pub async fn give(
    ctx: &Ctx,
    account_id: &AccountId,
    client_id: &str,
    scopes: &[String],
    claims: &[String],
) -> Result<(), StoreError> {
    for _ in 0..ATTEMPTS {
        let seen = ctx.store.consent(account_id, client_id).await?;
        let (had_scopes, had_claims) = seen
            .as_ref()
            .map_or(("", ""), |(s, c)| (s.as_str(), c.as_str()));
        let (all_scopes, all_claims) = (widened(had_scopes, scopes), widened(had_claims, claims));
        if ctx
            .store
            .replace_consent(
                account_id,
                client_id,
                seen.as_ref(),
                &all_scopes,
                &all_claims,
            )
            .await?
        {
            return Ok(());
        }
    }
    Err(StoreError::Conflict)
}
