//! Ending SSO sessions. A session's grants end with it (refresh refused, access tokens inactive);
//! only `offline_access` grants outlive a single logout, and «Завершить все сеансы» ends those too.
//! Every client that received tokens in an ended session and registered a back-channel logout URI
//! gets a durable job that tells it (OIDC Back-Channel Logout 1.0).

use super::session;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::sessions::SessionRow;
use crate::types::AccountId;
use serde::{Deserialize, Serialize};

pub const BACKCHANNEL_JOB: &str = "backchannel_logout";
const MAX_ATTEMPTS: i64 = 6;
/// Beyond the code lifetime: the code's cache entry lives this much longer (oidc/authorize).
const CODE_GRACE: i64 = 5;

/// Marks an ended session for as long as a code issued in it could still be redeemed.
pub fn ended_sid_key(sid: &str) -> String {
    format!("sid-ended:{sid}")
}

#[derive(Debug, Serialize, Deserialize)]
pub struct BackchannelLogout {
    pub client_id: String,
    pub sub: String,
    pub sid: String,
}

/// Ends one session and the grants made in it (offline ones excepted); returns how many
/// back-channel notifications were queued.
pub async fn end_session(app: &Ctx, row: &SessionRow) -> Result<usize, StoreError> {
    app.store.end_session(&row.id_hash).await?;
    let sid = session::sid_of(row);
    // A code issued in this session but not yet redeemed must not make a grant afterwards (the
    // token endpoint looks for this mark, which outlives every code of the session).
    app.cache
        .put(
            &ended_sid_key(&sid),
            "1",
            app.config.tokens.code_ttl + CODE_GRACE,
        )
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    // Read before the grants end: the notified clients are those with live grants in the session.
    let clients = app.store.clients_in_session(&sid).await?;
    app.store
        .revoke_session_grants(&sid, false, "session ended")
        .await?;
    for (client_id, sub) in &clients {
        let payload = BackchannelLogout {
            client_id: client_id.clone(),
            sub: sub.clone(),
            sid: sid.clone(),
        };
        app.store
            .enqueue_job(
                BACKCHANNEL_JOB,
                &serde_json::to_string(&payload).expect("serialises"),
                MAX_ATTEMPTS,
            )
            .await?;
    }
    tracing::info!(account = %row.account_id, notified = clients.len(), "session ended");
    Ok(clients.len())
}

/// «Завершить все сеансы» (and password recovery, account deletion): every live session of the
/// person, on every device, and every grant of the account, offline ones included.
pub async fn end_all_sessions(app: &Ctx, account_id: &AccountId) -> Result<usize, StoreError> {
    let mut notified = 0;
    for row in app.store.live_sessions_of(account_id).await? {
        notified += end_session(app, &row).await?;
    }
    app.store
        .revoke_grants_of_account(account_id, "all sessions ended")
        .await?;
    Ok(notified)
}
