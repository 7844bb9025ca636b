//! «Войти по QR-коду», the desktop's side: the page with the QR code, the short code and the
//! matching number; the small JSON status the page script polls (static/qr.js); and the finish that
//! starts the session once the phone approved. Without JavaScript the page refreshes itself and
//! offers a «Продолжить» button. The phone's side is `qr_approve`.

use super::csrf;
use super::extract::{self, CsrfForm};
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::params::Params;
use super::{cookies, render};
use crate::authn::lockout::Attempt;
use crate::authn::qr_login::{self as qr, FinishError, Status};
use crate::ctx::Ctx;
use crate::types::net::address_block;
use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

/// Desktop requests one address may start in ten minutes.
const STARTS_PER_WINDOW: i64 = 30;
const WINDOW: i64 = 600;

#[derive(Template)]
#[template(path = "qr_desktop.html")]
struct DesktopPage {
    t: Tr,
    csrf: String,
    tx: String,
    client_name: Option<String>,
    svg: String,
    code: String,
    link: String,
    /// «Или откройте на телефоне https://…/qr и введите код:»
    or_type: String,
    number: u32,
    approved: bool,
}

/// The link the QR code carries: the phone's approval page for this code.
fn link(ctx: &Ctx, code: &str) -> String {
    format!(
        "{}/qr?code={code}",
        ctx.config.server.issuer.trim_end_matches('/')
    )
}

/// The QR code as inline SVG (no request to anyone, no inline style: the CSP stays strict).
fn svg(data: &str, label: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(data.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    let label = askama::filters::escape(label, askama::filters::Html)
        .map(|s| s.to_string())
        .unwrap_or_default();
    svg[start..].replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"qr\" "),
        1,
    )
}

fn qr_cookie(ctx: &Ctx, value: &str, max_age: i64) -> axum::http::HeaderValue {
    cookies::set(
        qr::COOKIE,
        value,
        Some(max_age),
        ctx.config.issuer_is_https(),
    )
}

/// GET /login/qr: this browser's live request again, or a new one.
pub async fn page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).map_err(|_| extract::bad_request(&meta))?;
    let lang = meta.lang(p.get("lang"));
    let tx_id = p.get("tx").filter(|t| !t.is_empty());
    let req = super::login::load_tx(&app, tx_id, lang).await?;
    let lang = req.as_ref().map(|r| r.lang).unwrap_or(lang);
    let held = cookies::get(&headers, qr::COOKIE);
    let mut set_cookie = None;
    let (code, request) = match qr::of_browser(&app, held.as_deref()).await? {
        Some((code, r)) if r.tx.as_deref() == tx_id => (code, r),
        _ => {
            let n = app
                .cache
                .incr(&format!("qr-start:{}", address_block(&meta.ip)), WINDOW)
                .await?;
            if n > STARTS_PER_WINDOW {
                return Err(PageError::page(
                    lang,
                    StatusCode::TOO_MANY_REQUESTS,
                    "qr.too_many",
                ));
            }
            let continue_to = match (tx_id, &req) {
                (Some(id), Some(r)) => r.protocol.continue_url(id),
                _ => "/account".to_string(),
            };
            let started = qr::start(
                &app,
                qr::Asking {
                    tx: tx_id.filter(|_| req.is_some()),
                    client_name: req.as_ref().map(|r| r.client_name.as_str()),
                    required_acr: req.as_ref().map_or("", |r| r.required_acr.as_str()),
                    continue_to,
                    who: Attempt {
                        ip: &meta.ip,
                        user_agent: &meta.user_agent,
                    },
                },
            )
            .await?;
            set_cookie = Some(qr_cookie(&app, &started.cookie, qr::TTL));
            (started.code, started.request)
        }
    };
    let approved = qr::status(&app, held.as_deref()).await? == Status::Approved;
    let mut res = show(&app, &headers, lang, &code, &request, approved);
    if let Some(c) = set_cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

fn show(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    code: &str,
    request: &qr::QrRequest,
    approved: bool,
) -> Response {
    let t = Tr::new(lang);
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let link = link(app, code);
    let address = format!("{}/qr", app.config.server.issuer.trim_end_matches('/'));
    let or_type = t.f("qr.or_type", &[("address", address.as_str().into())]);
    let page = DesktopPage {
        or_type,
        svg: svg(&link, &t.s("qr.image_label")),
        t,
        csrf,
        tx: request.tx.clone().unwrap_or_default(),
        client_name: request.client_name.clone(),
        code: qr::display_code(code),
        link,
        number: request.number,
        approved,
    };
    with_cookie(render(StatusCode::OK, &page), cookie)
}

/// GET /login/qr/status: `{"status": "pending" | "approved" | "gone"}` for the page script.
pub async fn status(State(app): State<Ctx>, headers: HeaderMap) -> Response {
    let held = cookies::get(&headers, qr::COOKIE);
    match qr::status(&app, held.as_deref()).await {
        Ok(s) => {
            let status = match s {
                Status::Pending => "pending",
                Status::Approved => "approved",
                Status::Gone => "gone",
            };
            (
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({ "status": status })),
            )
                .into_response()
        }
        Err(e) => super::passkeys::internal_json(Lang::Ru, &e),
    }
}

/// POST /login/qr/finish: the approved request becomes this browser's session.
pub async fn finish(
    State(app): State<Ctx>,
    meta: ClientMeta,
    CsrfForm {
        form: p,
        lang,
        headers,
    }: CsrfForm,
) -> Result<Response, PageError> {
    let held = cookies::get(&headers, qr::COOKIE);
    let who = Attempt {
        ip: &meta.ip,
        user_agent: &meta.user_agent,
    };
    let (request, approval) = match qr::finish(&app, held.as_deref(), who).await {
        Ok(done) => done,
        Err(FinishError::Pending) => {
            // «Продолжить» pressed before the phone approved: the same page again.
            let tx = p.get("tx").unwrap_or("");
            let to = format!("/login/qr?tx={tx}&lang={}", lang.code());
            return Ok(Redirect::to(&to).into_response());
        }
        Err(FinishError::Gone) => {
            tracing::info!(ip = %meta.ip, "QR sign-in finish without a live approved request");
            return Err(PageError::page(lang, StatusCode::BAD_REQUEST, "qr.expired"));
        }
        Err(FinishError::Cache(e)) => return Err(e.into()),
        Err(FinishError::Store(e)) => return Err(e.into()),
    };
    let amr: Vec<&str> = approval.amr.iter().map(String::as_str).collect();
    // A browser where someone had to approve from a phone is not assumed to be the person's own.
    let session = super::login::start_session(
        &app,
        &headers,
        &meta,
        approval.account_id.as_str(),
        &approval.acr,
        &amr,
        false,
    )
    .await?;
    let mut res = Redirect::to(&request.continue_to).into_response();
    res.headers_mut().append(header::SET_COOKIE, session);
    res.headers_mut()
        .append(header::SET_COOKIE, qr_cookie(&app, "", 0));
    Ok(res)
}

/// The page script (polls the status, submits the finish form).
pub async fn script() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/qr.js"),
    )
        .into_response()
}
