//! Sign-in approved on another device: the pending grant behind an RFC 8628 device_code or a CIBA
//! auth_req_id, kept in the cache (any node serves any step) under the hash of the code. The
//! client polls ([`poll`]), the person decides on a page ([`decide`]); the approval carries how the
//! person authenticated (acr, amr, auth_time), which the tokens then tell.
//!
//! Single use comes from the cache's atomic take: exactly one poll receives an approved grant, and
//! exactly one decision is made per user code or approval link.

use super::org_choice::OrgRequest;
use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use crate::lang::Lang;
use crate::types::ClientId;
use serde::{Deserialize, Serialize};

/// After its expiry a grant is kept this long, so a late poll is told `expired_token` rather
/// than `invalid_grant`.
const EXPIRED_GRACE: i64 = 600;
/// RFC 8628 §3.5: each slow_down adds 5 seconds to the interval.
pub const SLOW_DOWN_STEP: i64 = 5;
/// RFC 8628 §6.1: consonants only (no vowels: no words; no 0/O, 1/I/L confusion).
pub const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
pub const USER_CODE_LEN: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Device,
    Ciba,
}

/// How the person authenticated when they approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub account_id: String,
    pub acr: String,
    pub amr: Vec<String>,
    pub auth_time: i64,
    /// The organisation the person approved for (the portal asked scope `organization`).
    #[serde(default)]
    pub org_oid: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Decision {
    Pending,
    Approved(Approval),
    Denied,
}

/// CIBA ping mode: where and how the client is told that the person decided.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ping {
    pub endpoint: String,
    pub client_notification_token: String,
    /// Sent in the ping's body (CIBA Core §10.2); useless without the client's own authentication.
    pub auth_req_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingGrant {
    pub kind: Kind,
    pub client_id: ClientId,
    pub client_name: String,
    pub scopes: Vec<String>,
    /// The weakest acr that will do (the portal's minimum or acr_values).
    pub required_acr: String,
    pub min_level: String,
    pub expires_at: i64,
    /// Seconds between polls (before any slow_down).
    pub interval: i64,
    pub decision: Decision,
    /// CIBA: the person the client named (login_hint / id_token_hint).
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub binding_message: Option<String>,
    #[serde(default)]
    pub ping: Option<Ping>,
    pub lang: Lang,
    /// Whether the portal asked for an organisation (the approval page's choice step).
    #[serde(default)]
    pub org: OrgRequest,
}

/// What a poll of the token endpoint finds.
#[derive(Debug)]
pub enum PollOutcome {
    /// Approved: the grant, taken out of the cache (single use).
    Approved(Box<PendingGrant>, Approval),
    Pending,
    /// Polled sooner than the interval; the new interval.
    SlowDown(i64),
    Expired,
    Denied,
    /// Unknown, used, or issued to another client.
    Invalid,
}

fn grant_key(hash: &str) -> String {
    format!("bcg:{hash}")
}
fn poll_key(hash: &str) -> String {
    format!("bcg-poll:{hash}")
}
fn slow_key(hash: &str) -> String {
    format!("bcg-slow:{hash}")
}
fn user_code_key(code: &str) -> String {
    format!("bcu:{}", crypto::hash_secret("user_code", code))
}
fn approval_key(id: &str) -> String {
    format!("bca:{}", crypto::hash_secret("ciba_approval", id))
}
fn account_key(account_id: &str) -> String {
    format!("bc-acct:{account_id}")
}

/// The cache key part of a device_code or auth_req_id.
pub fn code_hash(code: &str) -> String {
    crypto::hash_secret("backchannel", code)
}

/// Stores a new pending grant; returns its code (device_code or auth_req_id), shown once.
pub async fn create(ctx: &Ctx, grant: &PendingGrant) -> Result<String, CacheError> {
    let code = crypto::random_token();
    store(ctx, &code_hash(&code), grant).await?;
    Ok(code)
}

/// Stores `grant` under the hash of its code (see [`code_hash`]).
pub async fn store(ctx: &Ctx, hash: &str, grant: &PendingGrant) -> Result<(), CacheError> {
    let ttl = (grant.expires_at - ctx.clock.now()).max(1) + EXPIRED_GRACE;
    ctx.cache.put_json(&grant_key(hash), grant, ttl).await
}

pub async fn load(ctx: &Ctx, hash: &str) -> Result<Option<PendingGrant>, CacheError> {
    ctx.cache.get_json(&grant_key(hash)).await
}

/// A fresh user code (RFC 8628 §6.1): 8 consonants, about 34 bits.
pub fn new_user_code() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..USER_CODE_LEN)
        .map(|_| USER_CODE_ALPHABET[rng.gen_range(0..USER_CODE_ALPHABET.len())] as char)
        .collect()
}

/// XXXX-XXXX, the way it is shown.
pub fn display_user_code(code: &str) -> String {
    format!("{}-{}", &code[..4], &code[4..])
}

/// A typed user code, case-insensitive, dash and spaces optional; None when it cannot be one.
pub fn normalise_user_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2013}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == USER_CODE_LEN && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)))
        .then_some(code)
}

/// Links a user code to the grant `hash` until the grant expires.
pub async fn bind_user_code(
    ctx: &Ctx,
    user_code: &str,
    hash: &str,
    ttl: i64,
) -> Result<bool, CacheError> {
    ctx.cache
        .put_if_absent(&user_code_key(user_code), hash, ttl)
        .await
}

/// The pending grant a user code stands for (not yet decided, not expired).
pub async fn by_user_code(
    ctx: &Ctx,
    user_code: &str,
) -> Result<Option<(String, PendingGrant)>, CacheError> {
    let Some(hash) = ctx.cache.get(&user_code_key(user_code)).await? else {
        return Ok(None);
    };
    Ok(open_grant(ctx, &hash).await?.map(|g| (hash, g)))
}

async fn open_grant(ctx: &Ctx, hash: &str) -> Result<Option<PendingGrant>, CacheError> {
    Ok(load(ctx, hash)
        .await?
        .filter(|g| g.decision == Decision::Pending && g.expires_at > ctx.clock.now()))
}

/// A CIBA request's approval link id, and the account's banner pointing at it.
pub async fn bind_approval(
    ctx: &Ctx,
    hash: &str,
    account_id: &str,
    ttl: i64,
) -> Result<String, CacheError> {
    let id = crypto::random_token();
    ctx.cache.put(&approval_key(&id), hash, ttl).await?;
    ctx.cache.put(&account_key(account_id), &id, ttl).await?;
    Ok(id)
}

/// The pending CIBA grant behind an approval link.
pub async fn by_approval(
    ctx: &Ctx,
    id: &str,
) -> Result<Option<(String, PendingGrant)>, CacheError> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    let Some(hash) = ctx.cache.get(&approval_key(id)).await? else {
        return Ok(None);
    };
    Ok(open_grant(ctx, &hash).await?.map(|g| (hash, g)))
}

/// The newest CIBA request still waiting for this person: (approval id, portal name, binding
/// message), for the banner on their account's pages.
pub async fn waiting_for(
    ctx: &Ctx,
    account_id: &str,
) -> Result<Option<(String, String, Option<String>)>, CacheError> {
    let Some(id) = ctx.cache.get(&account_key(account_id)).await? else {
        return Ok(None);
    };
    Ok(by_approval(ctx, &id)
        .await?
        .filter(|(_, g)| g.account_id.as_deref() == Some(account_id))
        .map(|(_, g)| (id, g.client_name, g.binding_message)))
}

/// Records the decision of the person `by`, arriving by `handle`. The handle is taken (so exactly
/// one decision is made) only after the grant is found open and, for CIBA, addressed to `by`.
/// None when the grant is gone, decided, expired, or names another person.
pub async fn decide(
    ctx: &Ctx,
    handle: Handle<'_>,
    by: &str,
    decision: Decision,
) -> Result<Option<PendingGrant>, CacheError> {
    let key = match handle {
        Handle::UserCode(c) => user_code_key(c),
        Handle::Approval(id) => approval_key(id),
    };
    let Some(hash) = ctx.cache.get(&key).await? else {
        return Ok(None);
    };
    let Some(mut grant) = open_grant(ctx, &hash).await? else {
        return Ok(None);
    };
    if grant.account_id.as_deref().is_some_and(|named| named != by) {
        return Ok(None);
    }
    if ctx.cache.take(&key).await?.as_deref() != Some(hash.as_str()) {
        return Ok(None);
    }
    grant.decision = decision;
    store(ctx, &hash, &grant).await?;
    Ok(Some(grant))
}

/// The handle a person's decision arrives by.
#[derive(Debug, Clone, Copy)]
pub enum Handle<'a> {
    UserCode(&'a str),
    Approval(&'a str),
}

/// One poll of the token endpoint by `client_id` with `code` (RFC 8628 §3.5, CIBA Core §11).
pub async fn poll(
    ctx: &Ctx,
    kind: Kind,
    client_id: &str,
    code: &str,
) -> Result<PollOutcome, CacheError> {
    if code.is_empty() || code.len() > 128 {
        return Ok(PollOutcome::Invalid);
    }
    let hash = code_hash(code);
    let Some(grant) = load(ctx, &hash).await? else {
        return Ok(PollOutcome::Invalid);
    };
    if grant.kind != kind || grant.client_id.as_str() != client_id {
        return Ok(PollOutcome::Invalid);
    }
    let now = ctx.clock.now();
    if grant.expires_at <= now {
        return Ok(PollOutcome::Expired);
    }
    let slowed: i64 = ctx
        .cache
        .get(&slow_key(&hash))
        .await?
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let interval = grant.interval + SLOW_DOWN_STEP * slowed;
    if !ctx
        .cache
        .put_if_absent(&poll_key(&hash), "1", interval)
        .await?
    {
        let n = ctx
            .cache
            .incr(&slow_key(&hash), grant.expires_at - now + EXPIRED_GRACE)
            .await?;
        return Ok(PollOutcome::SlowDown(grant.interval + SLOW_DOWN_STEP * n));
    }
    match grant.decision {
        Decision::Pending => Ok(PollOutcome::Pending),
        Decision::Denied | Decision::Approved(_) => {
            let Some(taken) = ctx
                .cache
                .take_json::<PendingGrant>(&grant_key(&hash))
                .await?
            else {
                return Ok(PollOutcome::Invalid);
            };
            match taken.decision.clone() {
                Decision::Approved(a) => Ok(PollOutcome::Approved(Box::new(taken), a)),
                _ => Ok(PollOutcome::Denied),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_typed_loosely_and_shown_with_a_dash() {
        let code = new_user_code();
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)));
        assert_eq!(display_user_code("BCDFGHJK"), "BCDF-GHJK");
        assert_eq!(
            normalise_user_code("bcdf-ghjk").as_deref(),
            Some("BCDFGHJK")
        );
        assert_eq!(
            normalise_user_code(" BCDF GHJK ").as_deref(),
            Some("BCDFGHJK")
        );
        assert_eq!(normalise_user_code("BCDF-GHJ"), None);
        // Vowels and digits are never in a code.
        assert_eq!(normalise_user_code("ABCD-EFGH"), None);
        assert_eq!(normalise_user_code("BCDF-GHJ0"), None);
    }
}

#[cfg(test)]
mod compat_tests {
    //! A pending grant between the client's polls and the person's decision, as this release
    //! writes it (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    /// A device-flow grant still waiting for the person.
    const DEVICE: &str = r#"{"kind":"device","client_id":"tv-kinozal","client_name":"Кинозал на ТВ","scopes":["openid","profile"],"required_acr":"urn:vhod:acr:low","min_level":"","expires_at":1780000600,"interval":5,"decision":{"state":"pending"},"account_id":null,"binding_message":null,"ping":null,"lang":"Ru","org":{"asked":false,"required":false,"ogrns":[],"oids":[],"chosen":null}}"#;

    /// A CIBA grant in ping mode, approved for an organisation.
    const CIBA: &str = r#"{"kind":"ciba","client_id":"bank-severny","client_name":"Банк «Северный»","scopes":["openid","organization"],"required_acr":"urn:vhod:acr:substantial","min_level":"standard","expires_at":1780000300,"interval":5,"decision":{"state":"approved","account_id":"0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20","acr":"urn:vhod:acr:substantial","amr":["pwd","otp","mfa"],"auth_time":1780000123,"org_oid":1000123456},"account_id":"0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20","binding_message":"Подтвердите платёж 15 000 ₽ ООО «Ромашка»","ping":{"endpoint":"https://api.bank-severny.example.ru/ciba/notify","client_notification_token":"8d67dc78-7faa-4d41-aabd-67707b374255","auth_req_id":"kJ3x9QmZ7vT2pL5wR8yB1cF4hN0dG6sAeU_oI3rK2Ma"},"lang":"Ru","org":{"asked":true,"required":true,"ogrns":["1027700132195"],"oids":[],"chosen":{"account_id":"0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20","oid":1000123456}}}"#;

    #[test]
    fn a_device_grant_reads_across_releases() {
        let g: PendingGrant = reads_across_releases(DEVICE);
        assert_eq!(g.kind, Kind::Device);
        assert_eq!(g.client_id.as_str(), "tv-kinozal");
        assert_eq!(g.client_name, "Кинозал на ТВ");
        assert_eq!(g.decision, Decision::Pending);
        assert_eq!((g.expires_at, g.interval), (1_780_000_600, 5));
        assert!(g.ping.is_none() && g.account_id.is_none());
        assert_eq!(g.org, OrgRequest::default());
    }

    #[test]
    fn a_ciba_grant_reads_across_releases() {
        let g: PendingGrant = reads_across_releases(CIBA);
        assert_eq!(g.kind, Kind::Ciba);
        assert_eq!(g.lang, Lang::Ru);
        assert_eq!(
            g.binding_message.as_deref(),
            Some("Подтвердите платёж 15 000 ₽ ООО «Ромашка»")
        );
        let Decision::Approved(a) = &g.decision else {
            panic!("approved: {:?}", g.decision);
        };
        assert_eq!(a.account_id, "0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20");
        assert_eq!(a.amr, ["pwd", "otp", "mfa"]);
        assert_eq!(
            (a.auth_time, a.org_oid),
            (1_780_000_123, Some(1_000_123_456))
        );
        let ping = g.ping.as_ref().expect("ping mode");
        assert_eq!(
            ping.endpoint,
            "https://api.bank-severny.example.ru/ciba/notify"
        );
        assert_eq!(
            ping.client_notification_token,
            "8d67dc78-7faa-4d41-aabd-67707b374255"
        );
        assert!(g.org.asked && g.org.required);
        assert_eq!(g.org.ogrns, ["1027700132195"]);
        assert_eq!(
            g.org.chosen.as_ref().and_then(|c| c.oid),
            Some(1_000_123_456)
        );
    }
}
