//! The demo relying party at /demo (dev mode): a portal that signs people in through vhod with the
//! `openidconnect` crate, exactly as a real portal would, and shows the verified claims.

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

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    t: Tr,
    error: Option<String>,
    claims: Option<String>,
    userinfo: Option<String>,
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
