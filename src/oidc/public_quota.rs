//! What a public client — one that authenticates with its id alone, so anyone can act as it — may
//! start from one address: pushed authorization requests (`/par`, each kept a minute, up to 64 KB)
//! and device grants (`/device_authorization`, kept for their lifetime, each with its audit entry).
//! At most `login.authorize_rate_per_minute` of each a minute per address block (an IPv6 address
//! counts with its /64), counted in the cache, so every node counts together. A confidential
//! client is not limited here: its server speaks for all its users from one address.

use super::OidcState;
use super::error::OAuthError;
use crate::clients::Client;
use crate::types::net::address_block;

/// The window the count runs over, seconds.
const WINDOW: i64 = 60;

/// Counts one request of `client` from `ip` at `endpoint`; refuses (429, `Retry-After`) past the
/// allowance of a public client.
pub async fn admit(
    app: &OidcState,
    client: &Client,
    ip: &str,
    endpoint: &str,
) -> Result<(), OAuthError> {
    if !client.is_public {
        return Ok(());
    }
    let key = format!("public-quota:{endpoint}:{}", address_block(ip));
    let n = app.cache.incr(&key, WINDOW).await?;
    if n > i64::from(app.config.login.authorize_rate_per_minute) {
        crate::metrics::rate_limited("public_clients");
        return Err(OAuthError::too_many_requests(WINDOW as u64));
    }
    Ok(())
}
