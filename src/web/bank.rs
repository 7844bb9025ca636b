//! «Подтвердить через банк»: vhod as a relying party of the partner bank (authorization code, PKCE,
//! nonce, state bound to the browser and the signed-in account), then the match of identity::bank.

use super::i18n::Lang;
use super::identity::signed_in;
use super::meta::ClientMeta;
use super::pages::internal_error;
use super::{checked_form, cookies};
use crate::app::AppState;
use crate::identity::bank::{self, BankError, BankIdentity};
use crate::params::Params;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};

const COOKIE: &str = "vhod_bank";

#[derive(Serialize, Deserialize)]
struct Pending {
    account_id: String,
    verifier: String,
    nonce: String,
}

fn redirect_uri(app: &AppState) -> String {
    format!("{}/account/bank/callback", app.issuer())
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("reqwest client builds")
}

type BankClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// The bank's client and its userinfo endpoint, from its (issuer-checked) discovery document.
async fn client(app: &AppState) -> anyhow::Result<(BankClient, Option<String>)> {
    let cfg = &app.config.bank;
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(cfg.issuer.clone())?, &http()).await?;
    let userinfo = metadata.userinfo_endpoint().map(|u| u.url().to_string());
    let secret = Some(cfg.client_secret.clone())
        .filter(|s| !s.is_empty())
        .map(ClientSecret::new);
    Ok((
        CoreClient::from_provider_metadata(metadata, ClientId::new(cfg.client_id.clone()), secret)
            .set_redirect_uri(RedirectUrl::new(redirect_uri(app))?),
        userinfo,
    ))
}

/// Shown with the reason when the bank step fails (the account stays as it was).
fn failed(lang: Lang, reason: &str) -> Response {
    tracing::info!(reason, "bank confirmation failed");
    super::identity::bank_failed_page(lang, reason)
}

pub async fn start(
    State(app): State<AppState>,
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
    let result = async {
        let (client, _) = client(&app).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("fullname".into()))
            .add_scope(Scope::new("birthdate".into()))
            .add_scope(Scope::new("snils".into()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = Pending {
            account_id: s.account_id.clone(),
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        };
        app.cache
            .put_json(&format!("bank:{}", state.secret()), &pending, 900)
            .await?;
        Ok::<_, anyhow::Error>((url, state))
    }
    .await;
    match result {
        Ok((url, state)) => {
            let mut res = Redirect::to(url.as_str()).into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(COOKIE, state.secret(), None, app.config.issuer_is_https()),
            );
            res
        }
        Err(e) => failed(lang, &format!("the bank cannot be reached: {e}")),
    }
}

pub async fn callback(
    State(app): State<AppState>,
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
    let identity = async {
        let state = p.get("state").ok_or_else(|| anyhow::anyhow!("no state"))?;
        let cookie =
            cookies::get(&headers, COOKIE).ok_or_else(|| anyhow::anyhow!("no state cookie"))?;
        if !crate::crypto::ct_eq(state, &cookie) {
            anyhow::bail!("state does not match this browser");
        }
        if p.get("iss") != Some(app.config.bank.issuer.as_str()) {
            anyhow::bail!("iss in the response is not the bank (RFC 9207)");
        }
        let pending: Pending = app
            .cache
            .take_json(&format!("bank:{state}"))
            .await?
            .ok_or_else(|| anyhow::anyhow!("unknown or used state"))?;
        if pending.account_id != s.account_id {
            anyhow::bail!("the bank step was started by another account");
        }
        let code = p.get("code").ok_or_else(|| anyhow::anyhow!("no code"))?;
        let (client, userinfo) = client(&app).await?;
        let http = http();
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(&http)
            .await?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| anyhow::anyhow!("no id_token"))?;
        let claims = id_token.claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))?;
        let subject = claims.subject().to_string();
        // Userinfo carries the bank's identity data (SNILS is not a standard claim): read as JSON,
        // from the endpoint the verified discovery document named.
        let endpoint =
            userinfo.ok_or_else(|| anyhow::anyhow!("the bank has no userinfo endpoint"))?;
        let info: serde_json::Value = http
            .get(endpoint)
            .bearer_auth(tokens.access_token().secret())
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if info["sub"].as_str() != Some(subject.as_str()) {
            anyhow::bail!("userinfo is about another subject");
        }
        let text = |k: &str| info[k].as_str().unwrap_or_default().to_string();
        Ok::<_, anyhow::Error>(BankIdentity {
            issuer: app.config.bank.issuer.clone(),
            subject,
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
