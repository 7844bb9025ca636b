//! «Подтвердить через банк»: vhod as a relying party of the partner bank (authorization code, PKCE,
//! nonce, state bound to the browser and the signed-in account), then the match of identity::bank.

use super::cookies;
use super::extract::{Language, SignedInForm, signed_in};
use super::i18n::Lang;
use super::page_error::PageError;
use crate::ctx::Ctx;
use crate::identity::bank::{self, BankError, BankIdentity};
use crate::relying_party::{self, Callback, Finished, Provider};
use crate::web::params::Params;
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

pub async fn start(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let lang = f.lang;
    if app.config.bank.issuer.is_empty() {
        return Ok(failed(lang, "no partner bank is configured"));
    }
    let result = relying_party::start(
        &app.cache,
        &provider(&app),
        &["fullname", "birthdate", "snils"],
        900,
        f.session.account_id.clone(),
    )
    .await;
    Ok(match result {
        Ok(started) => {
            let mut res = Redirect::to(&started.url).into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(COOKIE, &started.state, None, app.config.issuer_is_https()),
            );
            res
        }
        Err(e) => failed(lang, &format!("the bank cannot be reached: {e}")),
    })
}

pub async fn callback(
    State(app): State<Ctx>,
    Language(lang): Language,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    // The bank's refusal is shown before anything else, signed in or not.
    if let Some(err) = p.get("error") {
        return Ok(failed(lang, &format!("the bank answered {err}")));
    }
    let s = signed_in(&app, &headers).await?;
    let cookie = cookies::get(&headers, COOKIE);
    let callback = Callback::read(|k| p.get(k), cookie.as_deref());
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
        Err(e) => return Ok(failed(lang, &e.to_string())),
    };
    match bank::confirm(&app, &s.account_id, &identity).await {
        Ok(()) => Ok(Redirect::to("/account/documents?done=bank").into_response()),
        Err(BankError::Store(e)) => Err(e.into()),
        // The person's feed says so too (identity::bank).
        Err(e) => {
            let mut res = failed(lang, &e.to_string());
            *res.status_mut() = StatusCode::CONFLICT;
            Ok(res)
        }
    }
}
