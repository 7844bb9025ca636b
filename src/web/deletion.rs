//! Deleting the account (REQUIREMENTS §5): a fresh login and «безвозвратно», then
//! identity::deletion does the rest.

use super::extract::{Language, SignedInForm, signed_in};
use super::i18n::{Lang, Tr};
use super::page_error::PageError;
use super::pages::with_cookie;
use super::{cookies, csrf, render};
use crate::authn::session;
use crate::ctx::Ctx;
use crate::identity::deletion::{self, Deletion};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

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

pub async fn delete_form(
    State(app): State<Ctx>,
    Language(lang): Language,
    headers: HeaderMap,
) -> Result<Response, PageError> {
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
        return Ok(res);
    }
    let s = signed_in(&app, &headers).await?;
    let fresh = deletion::is_fresh(&app, &s);
    Ok(delete_page(&app, &headers, lang, StatusCode::OK, fresh, ""))
}

pub async fn delete_account(
    State(app): State<Ctx>,
    f: SignedInForm,
) -> Result<Response, PageError> {
    let refused =
        |status, fresh, key| Ok(delete_page(&app, &f.headers, f.lang, status, fresh, key));
    match deletion::delete_confirmed(&app, &f.session, f.form.get("confirm"), f.lang).await? {
        Deletion::Deleted => {}
        Deletion::NotFresh => return refused(StatusCode::FORBIDDEN, false, "delete.not_fresh"),
        Deletion::NotConfirmed => {
            return refused(StatusCode::BAD_REQUEST, true, "delete.confirm_needed");
        }
    }
    let mut res = super::flash::redirect(&app, "/account/delete", "delete.done");
    res.headers_mut().append(
        axum::http::header::SET_COOKIE,
        cookies::set(session::COOKIE, "", Some(0), app.config.issuer_is_https()),
    );
    Ok(res)
}
