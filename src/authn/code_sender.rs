//! The one sender of codes: every SMS or e-mail that carries a one-time code or link (registration,
//! recovery and its second step, contact change, two-step login, signature binding), and every
//! message a form makes vhod send on its own (the notice to the owner of an already registered
//! number), passes the same guard ([codes] in the configuration):
//!
//! * a resend cooldown per purpose and destination (released once the code is used),
//! * hourly caps per destination and per client IP,
//! * a global hourly budget: past it nothing is sent that hour, and an alarm is raised once per
//!   hour (an error log line and an audit entry).
//!
//! Every counter is an atomic cache operation (INCR, SET NX), so nodes sharing Redis cannot exceed
//! a cap together. Codes are stored hashed under (purpose, subject); wrong attempts are counted
//! with INCR and the code is burnt at the limit, so parallel guesses are counted exactly.

use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use crate::identity::Contact;
use crate::store::StoreError;
use crate::store::audit::AuditEntry;
use crate::types::net::address_block;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("a new message may be sent in {0} s")]
    TooEarly(i64),
    #[error("too many messages to this destination or from this address")]
    SendLimit,
    #[error("no valid code (expired, burnt or never sent)")]
    Expired,
    #[error("wrong code")]
    Wrong { remaining: u32 },
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// What kind of secret a message carries.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// Six digits, typed in.
    Digits,
    /// A long random token inside a link.
    Link,
}

/// One code to issue: `purpose` names the flow (and the cooldown), `subject` whose code it is.
pub struct Code<'a> {
    pub purpose: &'a str,
    pub subject: &'a str,
    pub to: &'a Contact,
    pub ip: &'a str,
    pub ttl: i64,
    pub secret: Secret,
}

#[derive(Serialize, Deserialize)]
struct Issued {
    hash: String,
    nonce: String,
    expires_at: i64,
    /// The destination's cooldown key, released when the code is used.
    cooldown: String,
}

fn h(label: &str, value: &str) -> String {
    crypto::hash_secret(label, value)
}

fn code_key(purpose: &str, subject: &str) -> String {
    format!("code:{purpose}:{}", h("code-subject", subject))
}

fn cooldown_key(purpose: &str, destination: &str) -> String {
    format!("code-wait:{purpose}:{}", h("code-destination", destination))
}

/// Takes the cooldown slot of (purpose, destination), compared against the injectable clock.
async fn take_cooldown(app: &Ctx, key: &str) -> Result<(), CodeError> {
    let wait = app.config.codes.resend_after;
    if wait <= 0 {
        return Ok(());
    }
    let now = app.clock.now();
    for _ in 0..3 {
        if app
            .cache
            .put_if_absent(key, &(now + wait).to_string(), wait + 5)
            .await?
        {
            return Ok(());
        }
        match app
            .cache
            .get(key)
            .await?
            .and_then(|v| v.parse::<i64>().ok())
        {
            Some(until) if until > now => return Err(CodeError::TooEarly(until - now)),
            // Stale by the clock (or gone meanwhile): clear it and race for it again.
            _ => {
                app.cache.take(key).await?;
            }
        }
    }
    Err(CodeError::TooEarly(wait))
}

/// One of `limit` sends in this clock hour for `what`; false when the hour's sends are used.
async fn within_hourly(app: &Ctx, what: &str, limit: u32) -> Result<bool, CacheError> {
    let hour = app.clock.now() / 3600;
    let n = app
        .cache
        .incr(
            &format!("code-limit:{}:{hour}", h("code-limit", what)),
            3700,
        )
        .await?;
    Ok(n <= i64::from(limit))
}

/// The global budget; the first refusal of an hour raises the alarm.
async fn within_budget(app: &Ctx) -> Result<(), CodeError> {
    let limit = app.config.codes.global_per_hour;
    if within_hourly(app, "all", limit).await? {
        return Ok(());
    }
    let hour = app.clock.now() / 3600;
    if app
        .cache
        .put_if_absent(&format!("code-alarm:{hour}"), "1", 3700)
        .await?
    {
        tracing::error!(
            limit,
            "ALARM: the hourly budget of SMS and e-mail codes is exhausted; no more are sent this hour"
        );
        app.store
            .append_audit(AuditEntry {
                actor: "system",
                action: "codes.budget_exceeded",
                target: "codes",
                request_id: &crate::request_id::current(),
                details: serde_json::json!({ "hour": hour * 3600, "limit": limit }),
            })
            .await?;
    }
    Err(CodeError::SendLimit)
}

/// The guard alone: may a message of `purpose` go to `destination` for a request from `ip`?
/// Callers that must answer alike whether or not anything is sent (recovery for an unknown login)
/// call it with what the person typed.
pub async fn admit(app: &Ctx, purpose: &str, destination: &str, ip: &str) -> Result<(), CodeError> {
    let c = &app.config.codes;
    let cooldown = cooldown_key(purpose, destination);
    take_cooldown(app, &cooldown).await?;
    // The address first (its block: an IPv6 address counts with its /64): refused requests still
    // count against it.
    let block = address_block(ip);
    if !within_hourly(app, &format!("ip:{block}"), c.per_ip_hour).await?
        || !within_hourly(app, &format!("to:{destination}"), c.per_destination_hour).await?
    {
        tracing::warn!(ip, purpose, "code send limit reached");
        app.cache.delete(&cooldown).await?;
        return Err(CodeError::SendLimit);
    }
    if let Err(e) = within_budget(app).await {
        app.cache.delete(&cooldown).await?;
        return Err(e);
    }
    Ok(())
}

/// A message that carries no code (a notice a form causes), through the same guard.
pub async fn notice(
    app: &Ctx,
    purpose: &str,
    to: &Contact,
    ip: &str,
    subject: &str,
    body: &str,
) -> Result<(), CodeError> {
    admit(app, purpose, to.value(), ip).await?;
    app.notifier.send(to, subject, body).await?;
    Ok(())
}

/// Issues a fresh code (replacing an earlier one of the same subject) and sends the message
/// `text(secret)` returns as (subject, body), unless the guard refuses; an earlier code then stays.
pub async fn issue(
    app: &Ctx,
    code: Code<'_>,
    text: impl FnOnce(&str) -> (String, String),
) -> Result<(), CodeError> {
    admit(app, code.purpose, code.to.value(), code.ip).await?;
    issue_admitted(app, code, text).await
}

/// The second half of `issue`, for a caller that has passed `admit` itself (recovery admits what
/// was typed, then the real destination).
pub async fn issue_admitted(
    app: &Ctx,
    code: Code<'_>,
    text: impl FnOnce(&str) -> (String, String),
) -> Result<(), CodeError> {
    let secret = fresh_secret(app, &code).await?;
    let (subject, body) = text(&secret);
    crate::metrics::otp(code.to, app.notifier.send(code.to, &subject, &body).await)?;
    Ok(())
}

/// As [`issue`], delivered through the channel `account` chose for codes (authn::channels: SMS
/// to `code.to`, push or e-mail); the guard still counts `code.to`.
pub async fn issue_via_channel(
    app: &Ctx,
    code: Code<'_>,
    account: &crate::types::AccountId,
    text: impl FnOnce(&str) -> (String, String),
) -> Result<(), CodeError> {
    use super::channels::{self, Kind};
    admit(app, code.purpose, code.to.value(), code.ip).await?;
    let secret = fresh_secret(app, &code).await?;
    let (subject, body) = text(&secret);
    let sent = channels::send(app, account, code.to, Kind::Code, &subject, &body).await;
    crate::metrics::otp(code.to, sent)?;
    Ok(())
}

/// A new secret for `code`, stored (replacing an earlier one); returned to be sent.
async fn fresh_secret(app: &Ctx, code: &Code<'_>) -> Result<String, CodeError> {
    let secret = match code.secret {
        Secret::Digits => crypto::random_digits(6),
        Secret::Link => crypto::random_token(),
    };
    store(
        app,
        code.purpose,
        code.subject,
        &secret,
        code.ttl,
        cooldown_key(code.purpose, code.to.value()),
    )
    .await?;
    Ok(secret)
}

/// A code nobody receives: the subject's checks then go exactly as for a sent code (wrong,
/// attempts counted, burnt at the limit) and never succeed.
pub async fn issue_unsendable(
    app: &Ctx,
    purpose: &str,
    subject: &str,
    ttl: i64,
) -> Result<(), CodeError> {
    let secret = crypto::random_token();
    store(app, purpose, subject, &secret, ttl, String::new()).await
}

async fn store(
    app: &Ctx,
    purpose: &str,
    subject: &str,
    secret: &str,
    ttl: i64,
    cooldown: String,
) -> Result<(), CodeError> {
    let nonce = crypto::random_token();
    let issued = Issued {
        hash: h("code", &format!("{nonce}:{secret}")),
        nonce,
        expires_at: app.clock.now() + ttl,
        cooldown,
    };
    app.cache
        .put_json(&code_key(purpose, subject), &issued, ttl + 5)
        .await?;
    Ok(())
}

/// Checks a code. A right one is spent (and its destination's cooldown released); wrong ones
/// are counted atomically and the `max_attempts`-th burns the code, so even the right code is
/// refused afterwards.
pub async fn check(
    app: &Ctx,
    purpose: &str,
    subject: &str,
    given: &str,
    max_attempts: u32,
) -> Result<(), CodeError> {
    let k = code_key(purpose, subject);
    let issued: Issued = app.cache.get_json(&k).await?.ok_or(CodeError::Expired)?;
    let now = app.clock.now();
    if issued.expires_at <= now {
        app.cache.delete(&k).await?;
        return Err(CodeError::Expired);
    }
    let n = app
        .cache
        .incr(
            &format!("{k}:{}:attempts", issued.nonce),
            issued.expires_at - now + 5,
        )
        .await?;
    if n > i64::from(max_attempts) {
        app.cache.delete(&k).await?;
        return Err(CodeError::TooManyAttempts);
    }
    let given: String = given.chars().filter(|c| !c.is_whitespace()).collect();
    let hash = h("code", &format!("{}:{given}", issued.nonce));
    if crypto::ct_eq(&hash, &issued.hash) {
        // Spent: exactly one caller takes it.
        if app.cache.take(&k).await?.is_none() {
            return Err(CodeError::Expired);
        }
        if !issued.cooldown.is_empty() {
            app.cache.delete(&issued.cooldown).await?;
        }
        return Ok(());
    }
    if n == i64::from(max_attempts) {
        app.cache.delete(&k).await?;
        return Err(CodeError::TooManyAttempts);
    }
    Err(CodeError::Wrong {
        remaining: max_attempts - n as u32,
    })
}

/// Whether a code of (purpose, subject) is waiting.
pub async fn pending(app: &Ctx, purpose: &str, subject: &str) -> Result<bool, CacheError> {
    Ok(app.cache.get(&code_key(purpose, subject)).await?.is_some())
}

#[cfg(test)]
mod compat_tests {
    //! An issued code, stored hashed, as this release writes it (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    /// The code 482916 sent to +79161234567 for a contact change.
    const ISSUED: &str = r#"{"hash":"p5fttd7W4b4preL8wvnTELfNpkX01-X0scnUnJPeD4g","nonce":"Qm7xT2pZ0cVfL9sKdW4eHrYbN8uJ3aGiE6oP1tXyC5w","expires_at":1780000600,"cooldown":"code-wait:contact:Sc1i0nx1WTSs6HwuqEQ2Az4mdksZ3fE8QRHfr8ZlesA"}"#;

    #[test]
    fn an_issued_code_reads_across_releases() {
        let issued: Issued = reads_across_releases(ISSUED);
        assert_eq!(issued.expires_at, 1_780_000_600);
        // The code still checks the way `check` does it: the hash of the nonce and the code.
        let hash = |code: &str| h("code", &format!("{}:{code}", issued.nonce));
        assert!(crypto::ct_eq(&hash("482916"), &issued.hash));
        assert!(!crypto::ct_eq(&hash("482917"), &issued.hash));
        assert_eq!(issued.cooldown, cooldown_key("contact", "+79161234567"));
    }
}
