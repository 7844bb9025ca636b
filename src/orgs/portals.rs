//! The portals an organisation's people signed in to for it (consent per portal and
//! organisation), and withdrawing a portal's permission from the organisation's page: chief and
//! admins only, audited, and the organisation's grants at that portal end with it.

use super::{OrgError, commit, managed};
use crate::ctx::Ctx;
use crate::identity::permissions;
use crate::store::StoreError;
use crate::store::org_consents::OrgPortalRow;

fn words(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The consent of `account_id` to `client_id` for organisation `oid`: (scopes, claims).
pub async fn consent(
    ctx: &Ctx,
    account_id: &str,
    client_id: &str,
    oid: i64,
) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let (scopes, claims) = ctx
        .store
        .org_consent(account_id, client_id, oid)
        .await?
        .unwrap_or_default();
    Ok((words(&scopes), words(&claims)))
}

/// Gives (or widens) the person's permission for the portal to read `scopes` and `claims` while
/// they act for organisation `oid`, audited; a consent given for the same portal and
/// organisation at the same moment is kept too (as `permissions::give`).
pub async fn give(
    ctx: &Ctx,
    account_id: &str,
    client_id: &str,
    oid: i64,
    scopes: &[String],
    claims: &[String],
) -> Result<(), StoreError> {
    for _ in 0..permissions::ATTEMPTS {
        let seen = ctx.store.org_consent(account_id, client_id, oid).await?;
        let (had_scopes, had_claims) = seen
            .as_ref()
            .map_or(("", ""), |(s, c)| (s.as_str(), c.as_str()));
        let (all_scopes, all_claims) = (
            permissions::widened(had_scopes, scopes),
            permissions::widened(had_claims, claims),
        );
        let mut change = ctx.store.change().await?;
        if !change
            .replace_org_consent(
                account_id,
                client_id,
                oid,
                seen.as_ref(),
                &all_scopes,
                &all_claims,
            )
            .await?
        {
            continue; // dropped: rolled back; read again
        }
        return commit(
            change,
            account_id,
            "org.consent.give",
            oid,
            serde_json::json!({ "client": client_id }),
        )
        .await;
    }
    Err(StoreError::Conflict)
}

/// The portals allowed for the organisation (chief and admins only).
pub async fn list(ctx: &Ctx, oid: i64, actor: &str) -> Result<Vec<OrgPortalRow>, OrgError> {
    managed(ctx, oid, actor).await?;
    Ok(ctx.store.org_portals(oid).await?)
}

/// Withdraws the portal's permission for the organisation (chief and admins only): everyone's
/// consent for it, and its grants for the organisation, at once. False when there was none.
pub async fn withdraw(ctx: &Ctx, oid: i64, actor: &str, client_id: &str) -> Result<bool, OrgError> {
    managed(ctx, oid, actor).await?;
    let mut change = ctx.store.change().await?;
    if !change.withdraw_org_consent(oid, client_id).await? {
        return Ok(false);
    }
    commit(
        change,
        actor,
        "org.consent.withdraw",
        oid,
        serde_json::json!({ "client": client_id }),
    )
    .await?;
    Ok(true)
}
