//! «Подтвердить через банк»: vhod as a relying party of the partner bank (authorization code, PKCE,
//! nonce, state bound to the browser and the signed-in account), then the match of identity::bank.

use super::i18n::Lang;
use super::identity::signed_in;
use super::meta::ClientMeta;
use super::pages::internal_error;
use super::{checked_form, cookies};
use crate::ctx::Ctx;
use crate::identity::bank::{self, BankError, BankIdentity};
use crate::relying_party::{self, Callback, Finished, Provider};
use crate::web::params::Params;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

const COOKIE: &str = "vhod_bank";

fn redirect_uri(app: &Ctx) -> String {
    format!("{}/account/bank/callback", app.issuer())
}

fn provider(app: &Ctx) -> Provider<'_> {
    let cfg = &app.config.bank;
    Provider {
        issuer: &cfg.issuer,
        client_id: &cfg.client_id,
        client_secret: &cfg.client_secret,
        redirect_uri: redirect_uri(app),
        purpose: "bank",
    }
}

/// Shown with the reason when the bank step fails (the account stays as it was).
fn failed(lang: Lang, reason: &str) -> Response {
    tracing::info!(reason, "bank confirmation failed");
    super::identity::bank_failed_page(lang, reason)
}

pub async fn start(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (_, lang) = match checked_form(&meta, &headers, &body) {
        Ok(x) => x,
        Err(page) => return page,
    };
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if app.config.bank.issuer.is_empty() {
        return failed(lang, "no partner bank is configured");
    }
    let result = relying_party::start(
        &app.cache,
        &provider(&app),
        &["fullname", "birthdate", "snils"],
        900,
        s.account_id.clone(),
    )
    .await;
    match result {
        Ok(started) => {
            let mut res = Redirect::to(&started.url).into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(COOKIE, &started.state, None, app.config.issuer_is_https()),
            );
            res
        }
        Err(e) => failed(lang, &format!("the bank cannot be reached: {e}")),
    }
}

pub async fn callback(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let lang = meta.lang(None);
    if let Some(err) = p.get("error") {
        return failed(lang, &format!("the bank answered {err}"));
    }
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cookie = cookies::get(&headers, COOKIE);
    let callback = Callback {
        state: p.get("state"),
        code: p.get("code"),
        iss: p.get("iss"),
        cookie_state: cookie.as_deref(),
    };
    let identity = async {
        let done: Finished<String> =
            relying_party::finish(&app.cache, &provider(&app), callback, true, |account| {
                if *account != s.account_id {
                    anyhow::bail!("the bank step was started by another account");
                }
                Ok(())
            })
            .await?;
        let info = done.userinfo.unwrap_or_default();
        let text = |k: &str| info[k].as_str().unwrap_or_default().to_string();
        Ok::<_, anyhow::Error>(BankIdentity {
            issuer: app.config.bank.issuer.clone(),
            subject: done.subject,
            family_name: text("family_name"),
            given_name: text("given_name"),
            birthdate: text("birthdate"),
            snils: text("snils"),
        })
    }
    .await;
    let identity = match identity {
        Ok(i) => i,
        Err(e) => return failed(lang, &e.to_string()),
    };
    match bank::confirm(&app, &s.account_id, &identity).await {
        Ok(()) => Redirect::to("/account/documents?done=bank").into_response(),
        Err(BankError::Store(e)) => internal_error(lang, &e),
        Err(e) => {
            let reason = e.to_string();
            let _ = crate::identity::levels::notify(
                &app,
                &s.account_id,
                "Подтверждение через банк не выполнено: данные банка не совпадают с проверенными данными учётной записи.",
            )
            .await;
            let mut res = failed(lang, &reason);
            *res.status_mut() = StatusCode::CONFLICT;
            res
        }
    }
}
