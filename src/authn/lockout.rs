//! Failed-login accounting (REQUIREMENTS §3 "Abuse"): after `pow_after_failures` consecutive failures
//! for an account or an IP a proof-of-work challenge is required; after `lock_after_failures` failures
//! within `lock_window` password login of the account is locked for `lock_secs` and the owner told.
//! Counters live in the store (login_guard, login_events) so every node sees the same numbers.

use crate::app::AppState;
use crate::identity::Contact;
use crate::store::StoreError;
use crate::store::audit::AuditEntry;
use crate::store::login_guard::{NewLoginEvent, account_scope, ip_scope};

/// Who tried: recorded with every attempt.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub ip: &'a str,
    pub user_agent: &'a str,
}

/// Method names in login_events (RFC 8176 style).
pub const METHOD_PASSWORD: &str = "pwd";

pub async fn record(
    app: &AppState,
    account_id: Option<&str>,
    who: Attempt<'_>,
    method: &str,
    result: &str,
) -> Result<(), StoreError> {
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

/// Whether the next password attempt for this account (if known) from this IP must carry a
/// proof-of-work solution.
pub async fn challenge_required(
    app: &AppState,
    account_id: Option<&str>,
    ip: &str,
) -> Result<bool, StoreError> {
    let threshold = app.config.login.pow_after_failures;
    if app.store.login_guard(&ip_scope(ip)).await?.consecutive >= threshold {
        return Ok(true);
    }
    Ok(match account_id {
        Some(id) => app.store.login_guard(&account_scope(id)).await?.consecutive >= threshold,
        None => false,
    })
}

/// Until when password login of the account is locked, if it is now.
pub async fn locked_until(app: &AppState, account_id: &str) -> Result<Option<i64>, StoreError> {
    let until = app
        .store
        .login_guard(&account_scope(account_id))
        .await?
        .locked_until;
    Ok((until > app.clock.now()).then_some(until))
}

/// Counts a failed password login; locks the account when it crosses the limit.
pub async fn password_failed(
    app: &AppState,
    account_id: Option<&str>,
    who: Attempt<'_>,
) -> Result<(), StoreError> {
    let c = &app.config.login;
    record(app, account_id, who, METHOD_PASSWORD, "failure").await?;
    let ip = ip_scope(who.ip);
    if app.store.count_login_failure(&ip).await?.consecutive == c.pow_after_failures {
        audit(app, "login.failure_burst", &ip).await?;
    }
    let Some(account_id) = account_id else {
        return Ok(());
    };
    let scope = account_scope(account_id);
    if app.store.count_login_failure(&scope).await?.consecutive == c.pow_after_failures {
        audit(app, "login.failure_burst", &scope).await?;
    }
    let failures = app
        .store
        .recent_password_failures(account_id, c.lock_window)
        .await?;
    if failures >= c.lock_after_failures
        && app
            .store
            .lock_login(&scope, app.clock.now() + c.lock_secs)
            .await?
    {
        audit(app, "login.lockout", &scope).await?;
        tracing::warn!(account = %account_id, "password login locked after repeated failures");
        notify_owner(app, account_id).await?;
    }
    Ok(())
}

/// A password that checked out ends the runs of consecutive failures of the account and the IP.
pub async fn password_succeeded(
    app: &AppState,
    account_id: &str,
    who: Attempt<'_>,
) -> Result<(), StoreError> {
    app.store
        .clear_consecutive_failures(&account_scope(account_id))
        .await?;
    app.store
        .clear_consecutive_failures(&ip_scope(who.ip))
        .await
}

/// Lifts a lock and forgets earlier failures: the recovery flow calls this after a successful
/// password recovery (REQUIREMENTS §4: recovery lifts a temporary lock).
pub async fn lift_lock(app: &AppState, account_id: &str) -> Result<(), StoreError> {
    app.store.lift_lock(account_id).await
}

async fn audit(app: &AppState, action: &str, target: &str) -> Result<(), StoreError> {
    app.store
        .append_audit(AuditEntry {
            actor: "system:login-guard",
            action,
            target,
            request_id: &crate::crypto::random_token()[..16],
            details: serde_json::json!({}),
        })
        .await
        .map(|_| ())
}

const LOCK_SUBJECT: &str = "Вход по паролю временно заблокирован";

async fn notify_owner(app: &AppState, account_id: &str) -> Result<(), StoreError> {
    let minutes = app.config.login.lock_secs / 60;
    let body = format!(
        "Вход по паролю в вашу учётную запись заблокирован на {minutes} минут: слишком много \
         неудачных попыток входа (причина блокировки). Если это были не вы, восстановите пароль — \
         это снимет блокировку. Вход другими способами (электронная подпись, ключ доступа) работает."
    );
    for id in app.store.identifiers(account_id).await? {
        if id.verified_at.is_none() {
            continue;
        }
        if let Ok(contact) = Contact::parse(&id.value) {
            app.notifier.send(&contact, LOCK_SUBJECT, &body).await?;
        }
    }
    Ok(())
}
