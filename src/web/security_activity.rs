//! The activity half of /account/security: live sessions with "end session" and "end all others",
//! «Просмотр последних действий» (sign-ins from login_events and security changes from
//! security_events, merged newest first), and login alerts.

use super::extract::SignedInForm;
use super::i18n::Tr;
use super::page_error::PageError;
use super::security::redirect_back;
use crate::authn::security_events::Kind;
use crate::authn::{device, factor_settings, logout, session};
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::security_events::SecurityEventRow;
use crate::store::sessions::SessionRow;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// How many login events the page shows.
const HISTORY_ROWS: i64 = 30;

pub struct SessionView {
    pub sid: String,
    pub device: String,
    pub ip: String,
    pub started: String,
    pub last_seen: String,
    pub current: bool,
}

/// One line of «Просмотр последних действий»: a sign-in attempt or a security change.
pub struct EventView {
    /// Unix seconds (the order of the merged list).
    pub ts: i64,
    pub at: String,
    pub device: String,
    pub ip: String,
    /// What happened, in words: the sign-in's method, or the change.
    pub what: String,
    pub result: String,
}

pub struct Activity {
    pub sessions: Vec<SessionView>,
    pub history: Vec<EventView>,
    pub alerts_on: bool,
}

fn device_of(t: &Tr, ua: &str) -> String {
    device::describe(ua).unwrap_or_else(|| t.s("security.unknown_device").to_string())
}

fn method_key(method: &str) -> &'static str {
    match method {
        "pwd" => "history.pwd",
        "pwd+otp" => "history.pwd_otp",
        "pwd+sms" => "history.pwd_sms",
        "pwd+recovery" => "history.pwd_recovery",
        "otp" => "history.otp",
        "sms" => "history.sms",
        "recovery" => "history.recovery",
        _ => "history.other",
    }
}

fn result_key(result: &str) -> &'static str {
    match result {
        "success" => "history.success",
        "locked" => "history.locked",
        "no_challenge" => "history.no_challenge",
        _ => "history.failure",
    }
}

/// A security change as a line of the list.
fn change_view(t: &Tr, e: SecurityEventRow) -> EventView {
    let key = match Kind::parse(&e.kind) {
        Some(Kind::PasswordChanged) => "event.password_changed",
        Some(Kind::SmsTwoStepOn) => "event.sms_on",
        Some(Kind::SmsTwoStepOff) => "event.sms_off",
        Some(Kind::TotpAdded) => "event.totp_added",
        Some(Kind::TotpRemoved) => "event.totp_removed",
        Some(Kind::PasskeyAdded) => "event.passkey_added",
        Some(Kind::PasskeyRemoved) => "event.passkey_removed",
        Some(Kind::PasskeyRenamed) => "event.passkey_renamed",
        Some(Kind::RecoveryCodeUsed) => "event.recovery_code_used",
        Some(Kind::RecoveryCodesRenewed) => "event.recovery_codes_renewed",
        Some(Kind::NewDevice) => "event.new_device",
        Some(Kind::ContactChanged) => "event.contact_changed",
        None => "event.other",
    };
    let what = if e.detail.is_empty() {
        t.s(key).to_string()
    } else {
        format!("{}: {}", t.s(key), e.detail)
    };
    EventView {
        ts: e.at,
        at: t.datetime(e.at),
        device: "—".into(),
        ip: "—".into(),
        what,
        result: t.s("history.success").to_string(),
    }
}

pub async fn load(app: &Ctx, t: &Tr, current: &SessionRow) -> Result<Activity, StoreError> {
    let sessions = app
        .store
        .live_sessions_of(&current.account_id)
        .await?
        .into_iter()
        .rev()
        .map(|s| SessionView {
            sid: session::sid_of(&s),
            device: device_of(t, &s.user_agent),
            ip: s.ip.clone(),
            started: t.datetime(s.created_at),
            last_seen: t.datetime(s.last_seen),
            current: s.id_hash == current.id_hash,
        })
        .collect();
    let mut history: Vec<EventView> = app
        .store
        .login_events_of(&current.account_id, HISTORY_ROWS)
        .await?
        .into_iter()
        .map(|e| EventView {
            ts: e.at,
            at: t.datetime(e.at),
            device: device_of(t, &e.user_agent),
            ip: e.ip,
            what: format!("{}: {}", t.s("event.login"), t.s(method_key(&e.method))),
            result: t.s(result_key(&e.result)).to_string(),
        })
        .collect();
    let changes = app
        .store
        .security_events_of(&current.account_id, HISTORY_ROWS)
        .await?;
    history.extend(changes.into_iter().map(|e| change_view(t, e)));
    // Newest first; a change and a sign-in in the same second keep their own order.
    history.sort_by_key(|e| std::cmp::Reverse(e.ts));
    history.truncate(usize::try_from(HISTORY_ROWS).unwrap_or(30));
    let alerts_on = app
        .store
        .security_choices(&current.account_id)
        .await?
        .login_alerts;
    Ok(Activity {
        sessions,
        history,
        alerts_on,
    })
}

/// «Завершить сеанс» for one session of the signed-in person (named by its public sid).
pub async fn end_one(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let wanted = f.form.get("session").unwrap_or("");
    let rows = app.store.live_sessions_of(&f.session.account_id).await?;
    let Some(row) = rows
        .iter()
        .find(|r| crate::crypto::ct_eq(&session::sid_of(r), wanted))
    else {
        return Err(PageError::page(
            f.lang,
            StatusCode::NOT_FOUND,
            "security.no_such_session",
        ));
    };
    logout::end_session(&app, row).await?;
    Ok(redirect_back(row.id_hash == f.session.id_hash))
}

/// «Завершить все другие сеансы»: every live session of the person but this one.
pub async fn end_others(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let rows = app.store.live_sessions_of(&f.session.account_id).await?;
    for row in rows.iter().filter(|r| r.id_hash != f.session.id_hash) {
        logout::end_session(&app, row).await?;
    }
    Ok(redirect_back(false))
}

/// Login alerts on or off (`alerts` = "on" | "off").
pub async fn set_alerts(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let on = f.form.get("alerts") == Some("on");
    factor_settings::set_login_alerts(&app, &f.session.account_id, on).await?;
    Ok(redirect_back(false))
}
