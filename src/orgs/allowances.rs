//! Portals an organisation allows to read its data without a person signing in (ESIA
//! client_credentials with `org_*?org_oid=N` scopes): the chief or an admin allows an ESIA client by
//! its mnemonic and revokes it; both are audited. A revoked portal gets no new token, and the tokens
//! it holds stop opening the organisation's resources at once.

use super::{OrgError, commit, managed};
use crate::ctx::Ctx;
use crate::store::StoreError;

/// An allowed portal as the organisation's page lists it.
#[derive(Debug, Clone)]
pub struct AllowedClient {
    pub client_id: String,
    /// The client's registered name (empty when the client was deleted since).
    pub name: String,
    pub allowed_at: i64,
}

/// The longest client id accepted from the form (ESIA mnemonics are short).
const MAX_CLIENT_ID: usize = 100;

/// Allows the ESIA client `client_id` (chief and admins).
pub async fn allow(ctx: &Ctx, actor: &str, oid: i64, client_id: &str) -> Result<(), OrgError> {
    managed(ctx, oid, actor).await?;
    let client_id = client_id.trim();
    if client_id.is_empty() || client_id.len() > MAX_CLIENT_ID {
        return Err(OrgError::UnknownPortal);
    }
    let client = crate::clients::esia::find(&ctx.store, client_id)
        .await?
        .ok_or(OrgError::UnknownPortal)?;
    let id = client.client.id.to_string();
    let mut change = ctx.store.change().await?;
    if change.allow_org_client(oid, &id, actor).await? {
        commit(
            change,
            actor,
            "org.client_allowed",
            oid,
            serde_json::json!({ "client_id": id }),
        )
        .await?;
    }
    Ok(())
}

/// Revokes the allowance (chief and admins); `UnknownPortal` when there was none.
pub async fn revoke(ctx: &Ctx, actor: &str, oid: i64, client_id: &str) -> Result<(), OrgError> {
    managed(ctx, oid, actor).await?;
    let mut change = ctx.store.change().await?;
    if !change.revoke_org_client(oid, client_id).await? {
        return Err(OrgError::UnknownPortal);
    }
    commit(
        change,
        actor,
        "org.client_revoked",
        oid,
        serde_json::json!({ "client_id": client_id }),
    )
    .await?;
    Ok(())
}

/// The allowed portals with their names.
pub async fn allowed(ctx: &Ctx, oid: i64) -> Result<Vec<AllowedClient>, StoreError> {
    let mut out = Vec::new();
    for row in ctx.store.org_allowed_clients(oid).await? {
        let name = crate::clients::esia::find(&ctx.store, &row.client_id)
            .await?
            .map(|c| c.client.name)
            .unwrap_or_default();
        out.push(AllowedClient {
            client_id: row.client_id,
            name,
            allowed_at: row.allowed_at,
        });
    }
    Ok(out)
}

/// Whether the organisation exists and allows `client_id` now (the token endpoint and the REST
/// resources ask on every call).
pub async fn allows(ctx: &Ctx, oid: i64, client_id: &str) -> Result<bool, StoreError> {
    ctx.store.org_allows_client(oid, client_id).await
}
