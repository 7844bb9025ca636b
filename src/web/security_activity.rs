//! The activity half of /account/security: live sessions with "end session" and "end all others",
//! «Просмотр последних действий» (login history from login_events), and login alerts.

use super::extract::SignedInForm;
use super::i18n::Tr;
use super::page_error::PageError;
use super::security::redirect_back;
use crate::authn::{device, factor_settings, logout, session};
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::sessions::SessionRow;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// How many login events the page shows.
const HISTORY_ROWS: i64 = 30;
/// Times are shown in Moscow time (UTC+3 all year since 2014).
const MSK_OFFSET: i64 = 3 * 3600;

pub struct SessionView {
    pub sid: String,
    pub device: String,
    pub ip: String,
    pub started: String,
    pub last_seen: String,
    pub current: bool,
}

pub struct EventView {
    pub at: String,
    pub device: String,
    pub ip: String,
    pub method_key: &'static str,
    pub result_key: &'static str,
}

pub struct Activity {
    pub sessions: Vec<SessionView>,
    pub history: Vec<EventView>,
    pub alerts_on: bool,
}

/// "2026-12-01 21:43" in Moscow time.
pub fn format_time(unix: i64) -> String {
    let t = unix + MSK_OFFSET;
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60
    )
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
            started: format_time(s.created_at),
            last_seen: format_time(s.last_seen),
            current: s.id_hash == current.id_hash,
        })
        .collect();
    let history = app
        .store
        .login_events_of(&current.account_id, HISTORY_ROWS)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: format_time(e.at),
            device: device_of(t, &e.user_agent),
            ip: e.ip,
            method_key: method_key(&e.method),
            result_key: result_key(&e.result),
        })
        .collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_moscow_civil_time() {
        // 2026-12-01 21:09:55 UTC is 2026-12-02 00:09 in Moscow.
        assert_eq!(format_time(1_796_159_395), "2026-12-02 00:09");
        assert_eq!(format_time(0), "1970-01-01 03:00");
        // A leap day.
        assert_eq!(format_time(1_709_164_800 - MSK_OFFSET), "2024-02-29 00:00");
    }
}
