//! SSO session: a random id in an HttpOnly cookie, its SHA-256 in the store. A new id at every login.

use crate::crypto;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::sessions::{NewSession, SessionPerson, SessionRow};

pub const COOKIE: &str = "vhod_sid";

pub struct Authenticated<'a> {
    pub account_id: &'a str,
    pub acr: &'a str,
    pub amr: &'a [&'a str],
    /// False when «Чужой компьютер» was ticked: the cookie then dies with the browser.
    pub persistent: bool,
    pub user_agent: &'a str,
    pub ip: &'a str,
}

/// Starts a session; returns the cookie value (the only place the raw id exists) and the row.
pub async fn start(app: &Ctx, a: Authenticated<'_>) -> Result<(String, SessionRow), StoreError> {
    let id = crypto::random_token();
    let row = app
        .store
        .create_session(NewSession {
            id_hash: &crypto::hash_secret("session", &id),
            account_id: a.account_id,
            acr: a.acr,
            amr: &serde_json::to_string(a.amr).expect("strings serialise"),
            persistent: a.persistent,
            user_agent: &a.user_agent.chars().take(300).collect::<String>(),
            ip: a.ip,
            ttl: app.config.session.ttl,
        })
        .await?;
    Ok((id, row))
}

/// Signs a person in on a browser: any session the browser had ends first (a new id at every
/// login), then a new one starts. When another person was signed in there, they are signed out in
/// full, so the grants made in their session end and their portals get back-channel logout.
/// Returns what [`start`] returns.
pub async fn sign_in(
    app: &Ctx,
    previous: Option<&str>,
    a: Authenticated<'_>,
) -> Result<(String, SessionRow), StoreError> {
    if let Some(old) = previous {
        match current(app, Some(old)).await? {
            Some(row) if row.account_id != a.account_id => {
                super::logout::end_session(app, &row).await?;
            }
            _ => end(app, old).await?,
        }
    }
    let account_id = a.account_id.to_string();
    let acr = a.acr.to_string();
    let started = start(app, a).await?;
    tracing::info!(account = %account_id, acr, "session started");
    Ok(started)
}

pub async fn current(
    app: &Ctx,
    cookie_value: Option<&str>,
) -> Result<Option<SessionRow>, StoreError> {
    match stored_id(cookie_value) {
        Some(hash) => app.store.live_session(&hash).await,
        None => Ok(None),
    }
}

/// [`current`] with the person's name and interface language, in one read: what a page needs of
/// the signed-in person.
pub async fn current_person(
    app: &Ctx,
    cookie_value: Option<&str>,
) -> Result<Option<SessionPerson>, StoreError> {
    match stored_id(cookie_value) {
        Some(hash) => app.store.live_session_person(&hash).await,
        None => Ok(None),
    }
}

/// The stored form of a session cookie's value; None for a value no session can have.
fn stored_id(cookie_value: Option<&str>) -> Option<String> {
    cookie_value
        .filter(|id| !id.is_empty() && id.len() <= 64)
        .map(|id| crypto::hash_secret("session", id))
}

pub async fn end(app: &Ctx, cookie_value: &str) -> Result<(), StoreError> {
    app.store
        .end_session(&crypto::hash_secret("session", cookie_value))
        .await
}

pub fn amr_of(row: &SessionRow) -> Vec<String> {
    serde_json::from_str(&row.amr).unwrap_or_default()
}

/// The session's public identifier (`sid` in ID and logout tokens): derived from the stored hash,
/// so it reveals nothing about the cookie.
pub fn sid_of(row: &SessionRow) -> String {
    crypto::hash_secret("sid", &row.id_hash)
}
