//! Deleting the account (REQUIREMENTS §5): a fresh login and «безвозвратно», then
//! identity::deletion does the rest.

use super::i18n::{Lang, Tr};
use super::identity::{signed_in, signed_in_form};
use super::meta::ClientMeta;
use super::pages::{internal_error, with_cookie};
use super::{cookies, csrf, render};
use crate::authn::session;
use crate::ctx::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// A login younger than this may delete the account (a fresh login, REQUIREMENTS §5).
const FRESH_LOGIN_SECS: i64 = 300;

#[derive(Template)]
#[template(path = "delete.html")]
struct DeletePage {
    t: Tr,
    csrf: String,
    fresh: bool,
    done: bool,
    error_key: &'static str,
}

fn delete_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    fresh: bool,
    error_key: &'static str,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &DeletePage {
                t: Tr::new(lang),
                csrf,
                fresh,
                done: false,
                error_key,
            },
        ),
        cookie,
    )
}

pub async fn delete_form(State(app): State<Ctx>, meta: ClientMeta, headers: HeaderMap) -> Response {
    let lang = meta.lang(None);
    // «Учётная запись удалена» after the POST that deleted it (Post/Redirect/Get; no session now).
    if let Some((message, spent)) = super::flash::take(&app, &headers)
        && message == "delete.done"
    {
        let mut res = render(
            StatusCode::OK,
            &DeletePage {
                t: Tr::new(lang),
                csrf: String::new(),
                fresh: true,
                done: true,
                error_key: "",
            },
        );
        res.headers_mut()
            .append(axum::http::header::SET_COOKIE, spent);
        return res;
    }
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let fresh = app.store.now() - s.auth_time <= FRESH_LOGIN_SECS;
    delete_page(&app, &headers, lang, StatusCode::OK, fresh, "")
}

pub async fn delete_account(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang, s) = match signed_in_form(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if app.store.now() - s.auth_time > FRESH_LOGIN_SECS {
        return delete_page(
            &app,
            &headers,
            lang,
            StatusCode::FORBIDDEN,
            false,
            "delete.not_fresh",
        );
    }
    if p.get("confirm") != Some("безвозвратно") {
        return delete_page(
            &app,
            &headers,
            lang,
            StatusCode::BAD_REQUEST,
            true,
            "delete.confirm_needed",
        );
    }
    if let Err(e) = crate::identity::deletion::delete(&app, &s.account_id).await {
        return internal_error(lang, &e);
    }
    let mut res = super::flash::redirect(&app, "/account/delete", "delete.done");
    res.headers_mut().append(
        axum::http::header::SET_COOKIE,
        cookies::set(session::COOKIE, "", Some(0), app.config.issuer_is_https()),
    );
    res
}
