//! The demo relying party at /demo (dev mode): a portal that signs people in through vhod with the
//! `openidconnect` crate, exactly as a real portal would, and shows the verified claims.

pub mod b2b;
pub mod b2b_esia;
pub mod esia_portal;

use crate::clients::{self, NewClient};
use crate::crypto::keyring::SigningAlg;
use crate::ctx::Ctx;
use crate::relying_party::{self, Callback, Finished, Provider};
use crate::web::i18n::Tr;
use crate::web::meta::ClientMeta;
use crate::web::params::Params;
use crate::web::{cookies, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

pub const CLIENT_ID: &str = "vhod-demo";
const COOKIE: &str = "vhod_demo";

fn redirect_uri(app: &Ctx) -> String {
    format!("{}/demo/callback", app.issuer())
}

/// Registers (or re-registers, if the issuer changed) the demo portal as a public client.
pub async fn ensure_client(app: &Ctx) -> anyhow::Result<()> {
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

/// Registers the demo portals: the personal one, the B2B one, and the B2B one's ESIA client.
pub async fn ensure_clients(app: &Ctx) -> anyhow::Result<()> {
    ensure_client(app).await?;
    b2b::ensure_client(app).await?;
    esia_portal::ensure_client(app).await
}

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    t: Tr,
    /// Why signing in failed, in words (i18n key), and the provider's own text.
    error: Option<(&'static str, String)>,
    claims: Option<String>,
    userinfo: Option<String>,
    /// Every claim received (ID token, then userinfo), by name, ESIA-named ones included.
    all: Vec<(String, String)>,
}

/// Top-level claims of a JSON object as (name, value) lines; strings bare, the rest as JSON.
fn claim_lines(json: &str, into: &mut Vec<(String, String)>) {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) {
        for (name, value) in map {
            if into.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let shown = match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            into.push((name, shown));
        }
    }
}

/// An error of the sign-in in words: the person declined, or something else went wrong.
fn error_key(code: &str) -> &'static str {
    match code {
        "access_denied" => "demo.err_denied",
        "login_required" | "interaction_required" => "demo.err_login",
        _ => "demo.failed",
    }
}

fn provider(app: &Ctx) -> Provider<'_> {
    Provider {
        issuer: app.issuer(),
        client_id: CLIENT_ID,
        client_secret: "",
        redirect_uri: redirect_uri(app),
        purpose: "demo",
    }
}

fn page_with(
    meta: &ClientMeta,
    error: Option<String>,
    claims: Option<String>,
    userinfo: Option<String>,
) -> Response {
    let status = match &error {
        Some(e) if e.starts_with("access_denied") => StatusCode::OK,
        Some(_) => StatusCode::BAD_GATEWAY,
        None => StatusCode::OK,
    };
    let mut all = Vec::new();
    for json in [&claims, &userinfo].into_iter().flatten() {
        claim_lines(json, &mut all);
    }
    let error = error.map(|e| (error_key(e.split(':').next().unwrap_or("")), e));
    render(
        status,
        &DemoPage {
            t: Tr::new(meta.lang(None)),
            error,
            claims,
            userinfo,
            all,
        },
    )
}

pub async fn page(meta: ClientMeta) -> Response {
    page_with(&meta, None, None, None)
}

pub async fn start(State(app): State<Ctx>, meta: ClientMeta) -> Response {
    let started = relying_party::start(
        &app.cache,
        &provider(&app),
        &["profile", "email", "phone"],
        1800,
        (),
    )
    .await;
    match started {
        Ok(started) => {
            let mut res = Redirect::to(&started.url).into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(COOKIE, &started.state, None, app.config.issuer_is_https()),
            );
            res
        }
        Err(e) => page_with(&meta, Some(e.to_string()), None, None),
    }
}

pub async fn callback(
    State(app): State<Ctx>,
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
    let cookie = cookies::get(&headers, COOKIE);
    let callback = Callback::read(|k| p.get(k), cookie.as_deref());
    let result = async {
        let done: Finished<()> =
            relying_party::finish(&app.cache, &provider(&app), callback, true, |_| Ok(())).await?;
        Ok::<_, anyhow::Error>((
            serde_json::to_string_pretty(&done.id_token_claims)?,
            serde_json::to_string_pretty(&done.userinfo)?,
        ))
    }
    .await;
    match result {
        Ok((c, u)) => page_with(&meta, None, Some(c), Some(u)),
        Err(e) => page_with(&meta, Some(e.to_string()), None, None),
    }
}
