//! «Войти с ключом доступа»: passwordless sign-in with a discoverable passkey, on its own or inside a
//! pending authorization (`tx`). Two JSON calls made by /static/passkeys.js around
//! `navigator.credentials.get`.

use super::meta::ClientMeta;
use super::passkeys::{Empty, JsonAnswer, checked_json, json_error, passkey_error};
use crate::authn::login_tx as authz;
use crate::authn::webauthn as wa;
use crate::ctx::Ctx;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};

pub async fn start(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> JsonAnswer {
    let (_, lang) = checked_json::<Empty>(&meta, &headers, &body)?;
    let (ceremony, options) = wa::start_sign_in(&app)
        .await
        .map_err(|e| passkey_error(lang, &e))?;
    Ok(Json(json!({ "ceremony": ceremony, "options": options })).into_response())
}

#[derive(Deserialize)]
pub struct Finish {
    ceremony: String,
    #[serde(default)]
    tx: String,
    /// «Чужой компьютер»: the session cookie dies with the browser.
    #[serde(default)]
    foreign: bool,
    credential: Value,
}

pub async fn finish(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> JsonAnswer {
    let (req, lang) = checked_json::<Finish>(&meta, &headers, &body)?;
    let credential = serde_json::from_value(req.credential).map_err(|_| {
        json_error(
            lang,
            StatusCode::BAD_REQUEST,
            "bad_request",
            "error.bad_request",
        )
    })?;
    let redirect = if req.tx.is_empty() {
        "/account".to_string()
    } else {
        match authz::load_tx(&app, &req.tx).await {
            Ok(Some(_)) => format!("/authorize/continue?tx={}", req.tx),
            Ok(None) => {
                return Err(json_error(
                    lang,
                    StatusCode::BAD_REQUEST,
                    "tx_expired",
                    "error.tx_expired",
                ));
            }
            Err(e) => return Err(passkey_error(lang, &wa::PasskeyError::Cache(e))),
        }
    };
    let account_id = wa::finish_sign_in(&app, &req.ceremony, &credential)
        .await
        .map_err(|e| {
            tracing::info!(ip = %meta.ip, reason = %e, "passkey sign-in refused");
            passkey_error(lang, &e)
        })?;
    let cookie = super::login::start_session(
        &app,
        &headers,
        &meta,
        &account_id,
        wa::ACR,
        &wa::AMR,
        !req.foreign,
    )
    .await
    .map_err(|e| passkey_error(lang, &wa::PasskeyError::Store(e)))?;
    let mut res = Json(json!({ "redirect": redirect })).into_response();
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}
