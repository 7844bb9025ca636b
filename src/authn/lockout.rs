//! Failed-login accounting (REQUIREMENTS §3 "Abuse"): after `pow_after_failures` consecutive failures
//! for a login identifier (whether or not an account has it) or for one (IP, identifier) pair a
//! proof-of-work challenge is required; after `lock_after_failures` failures of any factor within
//! `lock_window` login of the account is locked for `lock_secs` and the owner told (at most once per
//! channel per hour). Passkey, signature and recovery keep working during a lock.
//! Counters live in the store (login_guard, login_events) so every node sees the same numbers.

use crate::ctx::Ctx;
use crate::identity::Contact;
use crate::identity::validation::Snils;
use crate::lang::{Lang, Tr};
use crate::store::StoreError;
use crate::store::audit::AuditEntry;
use crate::store::login_guard::{NewLoginEvent, account_scope, ip_scope, login_scope, pair_scope};
use crate::types::AccountId;

/// Who tried: recorded with every attempt.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub ip: &'a str,
    pub user_agent: &'a str,
}

/// Method names in login_events (RFC 8176 style).
pub const METHOD_PASSWORD: &str = "pwd";

pub async fn record(
    app: &Ctx,
    account_id: Option<&str>,
    who: Attempt<'_>,
    method: &str,
    result: &str,
) -> Result<(), StoreError> {
    crate::metrics::sign_in(method, result);
    app.store
        .record_login_event(NewLoginEvent {
            account_id,
            user_agent: who.user_agent,
            ip: who.ip,
            method,
            result,
        })
        .await
}

/// [`record`] of a successful sign-in; whether this device (user agent + IP) had signed in to
/// the account successfully before.
pub async fn record_success(
    app: &Ctx,
    account_id: &AccountId,
    who: Attempt<'_>,
    method: &str,
) -> Result<bool, StoreError> {
    crate::metrics::sign_in(method, "success");
    app.store
        .record_success_seen_before(NewLoginEvent {
            account_id: Some(account_id),
            user_agent: who.user_agent,
            ip: who.ip,
            method,
            result: "success",
        })
        .await
}

/// The counting key of a submitted login identifier: the normalised phone, e-mail or SNILS when it
/// reads as one (so "+7 900 …" and "8900…" are one key), else the trimmed lower-cased text; hashed,
/// because identifiers of nobody's account are counted too and need not be stored readable.
pub fn login_key(login: &str) -> String {
    let login = login.trim();
    let normal = match Contact::parse(login) {
        Ok(c) => format!("{}:{}", c.kind(), c.value()),
        Err(_) => match login.parse::<Snils>() {
            Ok(s) => format!("snils:{}", s.as_str()),
            Err(_) => format!("text:{}", login.to_lowercase()),
        },
    };
    crate::crypto::hash_secret("login-guard", &normal)
}

/// Whether the next password attempt for this login identifier from this IP must carry a proof of
/// work (or wait out the signed waiting period). It depends on the identifier and the (IP,
/// identifier) pair only: never on whether an account has the identifier, never on the bare IP.
pub async fn challenge_required(app: &Ctx, login_key: &str, ip: &str) -> Result<bool, StoreError> {
    let threshold = app.config.login.pow_after_failures;
    let most = app
        .store
        .most_consecutive_failures(&[&login_scope(login_key), &pair_scope(ip, login_key)])
        .await?;
    Ok(most >= threshold)
}

/// What a password attempt must know before it hashes, read in one statement: whether a proof
/// of work is due ([`challenge_required`]), whether the login is locked ([`locked_until`] for
/// the account that has the identifier; for an identifier no account has, the «lock» that
/// [`password_failed`] sets on the identifier, so the answer does not tell which logins exist),
/// and whether a success would have runs of failures to end ([`password_succeeded`]).
pub async fn before_password(
    app: &Ctx,
    login_key: &str,
    ip: &str,
    account_id: Option<&str>,
) -> Result<Guard, StoreError> {
    let lock_scope = match account_id {
        Some(id) => account_scope(id),
        None => login_scope(login_key),
    };
    let read = app
        .store
        .guard_before_attempt(
            &lock_scope,
            [&login_scope(login_key), &pair_scope(ip, login_key)],
            &ip_scope(ip),
        )
        .await?;
    Ok(Guard {
        challenge_required: read.most_consecutive >= app.config.login.pow_after_failures,
        locked: read.locked_until > app.clock.now(),
        runs: read.any_run,
    })
}

/// See [`before_password`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    pub challenge_required: bool,
    pub locked: bool,
    /// A scope of this attempt (account, identifier, pair, IP) had consecutive failures.
    pub runs: bool,
}

/// Until when login of the account is locked, if it is now (password and second step alike).
pub async fn locked_until(app: &Ctx, account_id: &AccountId) -> Result<Option<i64>, StoreError> {
    let until = app
        .store
        .login_guard(&account_scope(account_id))
        .await?
        .locked_until;
    Ok((until > app.clock.now()).then_some(until))
}

/// Counts a failed password login for the identifier, the (IP, identifier) pair, the IP (audit
/// only) and the account if one has the identifier; locks the account when it crosses the limit.
pub async fn password_failed(
    app: &Ctx,
    account_id: Option<&str>,
    login_key: &str,
    who: Attempt<'_>,
) -> Result<(), StoreError> {
    let c = &app.config.login;
    record(app, account_id, who, METHOD_PASSWORD, "failure").await?;
    let mut login_failures = 0;
    for scope in [
        ip_scope(who.ip),
        login_scope(login_key),
        pair_scope(who.ip, login_key),
    ] {
        let state = app.store.count_login_failure(&scope).await?;
        if state.consecutive == c.pow_after_failures {
            audit(app, "login.failure_burst", &scope).await?;
        }
        if scope.starts_with("login:") {
            login_failures = state.consecutive;
        }
    }
    let Some(account_id) = account_id else {
        // An identifier nobody has "locks" like an account would (every lock_after_failures
        // failures, for lock_secs), so the answer does not tell which logins exist.
        if login_failures > 0 && login_failures % c.lock_after_failures.max(1) == 0 {
            app.store
                .lock_login(&login_scope(login_key), app.clock.now() + c.lock_secs)
                .await?;
        }
        return Ok(());
    };
    let scope = account_scope(account_id);
    if app.store.count_login_failure(&scope).await?.consecutive == c.pow_after_failures {
        audit(app, "login.failure_burst", &scope).await?;
    }
    lock_if_over(app, &AccountId::from(account_id)).await
}

/// Counts a failed second factor (`method`: "otp", "sms", "recovery", "passkey") toward the same
/// lock as wrong passwords: guessing codes is guessing too.
pub async fn factor_failed(
    app: &Ctx,
    account_id: &AccountId,
    who: Attempt<'_>,
    method: &str,
) -> Result<(), StoreError> {
    record(app, Some(account_id), who, method, "failure").await?;
    app.store
        .count_login_failure(&account_scope(account_id))
        .await?;
    lock_if_over(app, account_id).await
}

async fn lock_if_over(app: &Ctx, account_id: &AccountId) -> Result<(), StoreError> {
    let c = &app.config.login;
    let scope = account_scope(account_id);
    let failures = app
        .store
        .recent_login_failures(account_id, c.lock_window)
        .await?;
    if failures >= c.lock_after_failures
        && app
            .store
            .lock_login(&scope, app.clock.now() + c.lock_secs)
            .await?
    {
        crate::metrics::lockout();
        audit(app, "login.lockout", &scope).await?;
        tracing::warn!(account = %account_id, "login locked after repeated failures");
        notify_owner(app, account_id).await?;
    }
    Ok(())
}

/// A password that checked out ends the runs of consecutive failures of the account, the
/// identifier, the pair and the IP — one statement, and none when [`before_password`] found no
/// run to end (most sign-ins: nothing to write).
pub async fn password_succeeded(
    app: &Ctx,
    account_id: &AccountId,
    login_key: &str,
    who: Attempt<'_>,
    guard: Guard,
) -> Result<(), StoreError> {
    if !guard.runs {
        return Ok(());
    }
    let scopes = [
        account_scope(account_id),
        login_scope(login_key),
        pair_scope(who.ip, login_key),
        ip_scope(who.ip),
    ];
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    app.store.clear_consecutive_failures(&scopes).await?;
    Ok(())
}

/// Lifts a lock and forgets earlier failures: the recovery flow calls this after a successful
/// password recovery (REQUIREMENTS §4: recovery lifts a temporary lock).
pub async fn lift_lock(app: &Ctx, account_id: &AccountId) -> Result<(), StoreError> {
    app.store.lift_lock(account_id).await
}

async fn audit(app: &Ctx, action: &str, target: &str) -> Result<(), StoreError> {
    app.store
        .append_audit(AuditEntry {
            actor: "system:login-guard",
            action,
            target,
            request_id: &crate::request_id::current(),
            details: serde_json::json!({}),
        })
        .await
        .map(|_| ())
}

/// Tells the owner once per channel per hour at most: a stranger who knows the phone number can
/// lock the password login again and again, but cannot make vhod message the owner each time.
const NOTICE_EVERY: i64 = 3600;

async fn notify_owner(app: &Ctx, account_id: &AccountId) -> Result<(), StoreError> {
    let minutes = app.config.login.lock_secs / 60;
    let t = Tr::new(Lang::for_message(app.store.account_lang(account_id).await?));
    let body = t.f("notify.lock_body", &[("minutes", minutes.into())]);
    let subject = t.s("notify.lock_subject");
    for id in app.store.identifiers(account_id).await? {
        if id.verified_at.is_none() {
            continue;
        }
        let Ok(contact) = Contact::parse(&id.value) else {
            continue;
        };
        if app
            .store
            .claim_lock_notice(account_id, contact.kind(), NOTICE_EVERY)
            .await?
        {
            app.notifier.send(&contact, &subject, &body).await?;
        }
    }
    Ok(())
}
