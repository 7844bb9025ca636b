//! The admin console signs administrators in through vhod itself: an OIDC authorization-code flow
//! (public client `vhod-admin-console`, PKCE S256) that requires acr ≥ substantial, so a password
//! alone never opens the console. The resulting access token becomes the console cookie and is
//! checked on every request like an admin API bearer token.

use super::auth::{self, CONSOLE_CLIENT};
use crate::authn::ACR_SUBSTANTIAL;
use crate::clients::{self, NewClient};
use crate::clients::{self as client_admin, SettingsChange};
use crate::crypto;
use crate::oidc::OidcState;
use crate::types::Acr;
use crate::web::page_error::PageError;
use crate::web::params::Params;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

const FLOW_COOKIE: &str = "vhod_admin_oidc";
const FLOW_TTL: i64 = 600;

#[derive(Serialize, Deserialize)]
struct Flow {
    state: String,
    verifier: String,
}

fn redirect_uri(app: &OidcState) -> String {
    format!("{}/admin/console/callback", app.issuer())
}

/// Registers the console client on first use (public, PKCE, minimum acr substantial). An existing
/// registration is left as it is (an operator may have registered it by hand).
async fn ensure_client(app: &OidcState) -> anyhow::Result<()> {
    if clients::find(&app.store, CONSOLE_CLIENT).await?.is_some() {
        return Ok(());
    }
    clients::register(
        &app.store,
        NewClient {
            id: Some(CONSOLE_CLIENT.into()),
            name: "Консоль администратора".into(),
            redirect_uris: vec![redirect_uri(app)],
            is_public: true,
            ..NewClient::default()
        },
    )
    .await?;
    client_admin::change_settings(
        app,
        &app.clients,
        CONSOLE_CLIENT,
        &SettingsChange {
            min_acr: Some(ACR_SUBSTANTIAL.into()),
            ..SettingsChange::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

fn flow_cookie(app: &OidcState, value: &str, max_age: i64) -> HeaderValue {
    // Lax, not Strict: the browser comes back to the callback from the authorization redirect.
    let mut c =
        format!("{FLOW_COOKIE}={value}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age={max_age}");
    if app.config.issuer_is_https() {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("url-safe token")
}

fn flow_key(id: &str) -> String {
    format!("admin-oidc:{}", crypto::hash_secret("admin-oidc", id))
}

/// GET /admin/console/signin: off to the authorization endpoint.
pub async fn signin(
    State(app): State<OidcState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = super::console::lang_of(&headers);
    let ru = |e: &dyn std::fmt::Display| PageError::internal(e).in_lang(lang);
    ensure_client(&app).await.map_err(|e| ru(&e))?;
    let verifier = crypto::random_token();
    let flow = Flow {
        state: crypto::random_token(),
        verifier: verifier.clone(),
    };
    let id = crypto::random_token();
    app.cache
        .put_json(&flow_key(&id), &flow, FLOW_TTL)
        .await
        .map_err(|e| ru(&e))?;
    let mut url = url::Url::parse(&format!("{}/authorize", app.issuer())).map_err(|e| ru(&e))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", CONSOLE_CLIENT)
        .append_pair("redirect_uri", &redirect_uri(&app))
        .append_pair("scope", "openid")
        .append_pair("state", &flow.state)
        .append_pair("code_challenge", &crypto::sha256_b64(&verifier))
        .append_pair("code_challenge_method", "S256")
        .append_pair("acr_values", ACR_SUBSTANTIAL);
    let mut res = Redirect::to(url.as_str()).into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, flow_cookie(&app, &id, FLOW_TTL));
    Ok(res)
}

/// GET /admin/console/callback: redeem the code, insist on substantial, keep the access token.
pub async fn callback(
    State(app): State<OidcState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let refuse = |key| {
        Err(PageError::page(
            super::console::lang_of(&headers),
            StatusCode::FORBIDDEN,
            key,
        ))
    };
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let Some(id) = crate::web::cookies::get(&headers, FLOW_COOKIE) else {
        return refuse("admin.signin_failed");
    };
    let flow: Option<Flow> = app
        .cache
        .take_json(&flow_key(&id))
        .await
        .map_err(|e| PageError::internal(&e).in_lang(super::console::lang_of(&headers)))?;
    let Some(flow) = flow else {
        return refuse("admin.signin_failed");
    };
    if !crypto::ct_eq(p.get("state").unwrap_or(""), &flow.state) {
        return refuse("admin.signin_failed");
    }
    if p.get("error") == Some("unmet_authentication_requirements") {
        return refuse("admin.needs_second_factor");
    }
    let Some(code) = p.get("code") else {
        return refuse("admin.signin_failed");
    };
    let token = match redeem(&app, code, &flow.verifier).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %e, "admin console sign-in: code redemption failed");
            return refuse("admin.signin_failed");
        }
    };
    // The client's minimum could have been lowered by hand: check the assurance here as well.
    match auth::authenticate_token(&app, &token).await {
        Ok(c) if c.acr().and_then(|a| a.parse::<Acr>().ok()) >= Some(Acr::Substantial) => {}
        Ok(_) => return refuse("admin.needs_second_factor"),
        Err(_) => return refuse("admin.signin_failed"),
    }
    let mut res = Redirect::to("/admin/console").into_response();
    let h = res.headers_mut();
    h.append(
        header::SET_COOKIE,
        super::console::admin_cookie(&app, &token, app.config.tokens.access_ttl),
    );
    h.append(header::SET_COOKIE, flow_cookie(&app, "", 0));
    Ok(res)
}

/// The token endpoint, called like any public client would (PKCE, no secret).
async fn redeem(app: &OidcState, code: &str, verifier: &str) -> anyhow::Result<String> {
    let res = app
        .http
        .post(format!("{}/token", app.issuer()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &redirect_uri(app)),
            ("client_id", CONSOLE_CLIENT),
            ("code_verifier", verifier),
        ])
        .send()
        .await?;
    if !res.status().is_success() {
        anyhow::bail!("token endpoint answered {}", res.status());
    }
    let body: serde_json::Value = res.json().await?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no access_token in the token response"))
}

#[cfg(test)]
mod compat_tests {
    //! The console's sign-in between the redirect to /authorize and the callback, as this release
    //! writes it (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    const FLOW: &str = r#"{"state":"Hq5Wn2Xc8Lr0Tz4Kb7Mv1Pd3Gy6Js9Fa-Ue_Ro2Ki8","verifier":"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}"#;

    #[test]
    fn a_console_sign_in_reads_across_releases() {
        let flow: Flow = reads_across_releases(FLOW);
        assert_eq!(flow.state, "Hq5Wn2Xc8Lr0Tz4Kb7Mv1Pd3Gy6Js9Fa-Ue_Ro2Ki8");
        // The verifier still matches the S256 challenge sent to /authorize.
        assert_eq!(
            crypto::sha256_b64(&flow.verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
