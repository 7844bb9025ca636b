//! The demo relying party at /demo (dev mode): a portal that signs people in through vhod with the
//! `openidconnect` crate, exactly as a real portal would, and shows the verified claims.

use crate::app::AppState;
use crate::crypto::keyring::SigningAlg;
use crate::oidc::clients::{self, NewClient};
use crate::params::Params;
use crate::web::i18n::Tr;
use crate::web::meta::ClientMeta;
use crate::web::{cookies, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};

pub const CLIENT_ID: &str = "vhod-demo";
const COOKIE: &str = "vhod_demo";

fn redirect_uri(app: &AppState) -> String {
    format!("{}/demo/callback", app.issuer())
}

/// Registers (or re-registers, if the issuer changed) the demo portal as a public client.
pub async fn ensure_client(app: &AppState) -> anyhow::Result<()> {
    let wanted = redirect_uri(app);
    if let Some(c) = clients::find(&app.store, CLIENT_ID).await? {
        if c.redirect_uris == [wanted.clone()] {
            return Ok(());
        }
        app.store.remove_client(CLIENT_ID).await?;
    }
    clients::register(
        &app.store,
        NewClient {
            id: Some(CLIENT_ID.into()),
            name: "Демонстрационный портал".into(),
            redirect_uris: vec![wanted],
            is_public: true,
            id_token_alg: SigningAlg::Rs256,
            ..NewClient::default()
        },
    )
    .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    t: Tr,
    error: Option<String>,
    claims: Option<String>,
    userinfo: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct DemoState {
    verifier: String,
    nonce: String,
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("reqwest client builds")
}

fn page_with(
    meta: &ClientMeta,
    error: Option<String>,
    claims: Option<String>,
    userinfo: Option<String>,
) -> Response {
    let status = if error.is_some() {
        StatusCode::BAD_GATEWAY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &DemoPage {
            t: Tr::new(meta.lang(None)),
            error,
            claims,
            userinfo,
        },
    )
}

pub async fn page(meta: ClientMeta) -> Response {
    page_with(&meta, None, None, None)
}

async fn discover(app: &AppState) -> anyhow::Result<CoreProviderMetadata> {
    Ok(CoreProviderMetadata::discover_async(
        IssuerUrl::new(app.issuer().to_string())?,
        &http_client(),
    )
    .await?)
}

pub async fn start(State(app): State<AppState>, meta: ClientMeta) -> Response {
    let result = async {
        let metadata = discover(&app).await?;
        let client =
            CoreClient::from_provider_metadata(metadata, ClientId::new(CLIENT_ID.into()), None)
                .set_redirect_uri(RedirectUrl::new(redirect_uri(&app))?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("phone".into()))
            .set_pkce_challenge(challenge)
            .url();
        let st = DemoState {
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        };
        app.cache
            .put_json(&format!("demo:{}", state.secret()), &st, 1800)
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
        Err(e) => page_with(&meta, Some(e.to_string()), None, None),
    }
}

pub async fn callback(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: axum::http::HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    if let Some(err) = p.get("error") {
        return page_with(
            &meta,
            Some(format!(
                "{err}: {}",
                p.get("error_description").unwrap_or("")
            )),
            None,
            None,
        );
    }
    let result = async {
        let state = p.get("state").ok_or_else(|| anyhow::anyhow!("no state"))?;
        let cookie =
            cookies::get(&headers, COOKIE).ok_or_else(|| anyhow::anyhow!("no state cookie"))?;
        if !crate::crypto::ct_eq(state, &cookie) {
            anyhow::bail!("state does not match this browser");
        }
        if p.get("iss") != Some(app.issuer()) {
            anyhow::bail!("iss in the response is not our issuer (RFC 9207)");
        }
        let st: DemoState = app
            .cache
            .take_json(&format!("demo:{state}"))
            .await?
            .ok_or_else(|| anyhow::anyhow!("unknown or used state"))?;
        let code = p.get("code").ok_or_else(|| anyhow::anyhow!("no code"))?;
        let metadata = discover(&app).await?;
        let client =
            CoreClient::from_provider_metadata(metadata, ClientId::new(CLIENT_ID.into()), None)
                .set_redirect_uri(RedirectUrl::new(redirect_uri(&app))?);
        let http = http_client();
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(st.verifier))
            .request_async(&http)
            .await?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| anyhow::anyhow!("no id_token"))?;
        let claims = id_token.claims(&client.id_token_verifier(), &Nonce::new(st.nonce))?;
        let userinfo: CoreUserInfoClaims = client
            .user_info(
                tokens.access_token().clone(),
                Some(claims.subject().clone()),
            )?
            .request_async(&http)
            .await?;
        Ok::<_, anyhow::Error>((
            serde_json::to_string_pretty(claims)?,
            serde_json::to_string_pretty(&userinfo)?,
        ))
    }
    .await;
    match result {
        Ok((c, u)) => page_with(&meta, None, Some(c), Some(u)),
        Err(e) => page_with(&meta, Some(e.to_string()), None, None),
    }
}
