//! What every page shows around its content: the service's name and logo, the language switcher,
//! the support contacts and the links to the terms and the privacy policy (`[branding]`).
//!
//! The request layer here keeps, for the life of the request, the branding and the address to come
//! back to after switching the language; base.html reads them (`crate::web::chrome::…()`), so no
//! page has to carry them in its own template struct.
//!
//! The switcher is a plain link (works without JavaScript): `GET /lang?to=en&back=/account`
//! remembers the choice in a cookie and, for a signed-in person, on the account (pages, e-mails and
//! SMS then use it), makes a pending sign-in continue in it, and goes back.

use super::i18n::Lang;
use super::page_error::PageError;
use super::{cookies, params::Params};
use crate::authn::{login_tx, session};
use crate::config::Config;
use crate::ctx::Ctx;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

/// The `[branding]` of the configuration, as pages show it.
#[derive(Debug, Default)]
pub struct Brand {
    name: String,
    logo_url: String,
    support_phone: String,
    support_email: String,
    terms_url: String,
    privacy_url: String,
}

/// The state of the request layer: the branding, shared by every request, and the context to
/// find who is signed in.
#[derive(Clone)]
pub struct Chrome(Arc<Brand>, Ctx);

impl Chrome {
    pub fn new(ctx: Ctx) -> Chrome {
        Chrome(Arc::new(Brand::from_config(&ctx.config)), ctx)
    }
}

impl Brand {
    fn from_config(config: &Config) -> Brand {
        let b = &config.branding;
        Brand {
            name: b.name.trim().to_string(),
            logo_url: b.logo_url.clone(),
            support_phone: b.support_phone.trim().to_string(),
            support_email: b.support_email.trim().to_string(),
            terms_url: b.terms_url.clone(),
            privacy_url: b.privacy_url.clone(),
        }
    }
}

struct Page {
    brand: Arc<Brand>,
    /// «Вы вошли как …»: the signed-in person's name, on the pages that say it.
    signed_in_as: String,
    /// Where the switcher comes back to: this request's path and query, without a language in it.
    back: String,
}

tokio::task_local! {
    static PAGE: Page;
}

/// The request layer: keeps the branding and the way back for the pages this request renders.
pub async fn layer(State(chrome): State<Chrome>, request: Request, next: Next) -> Response {
    super::visitor::scope(async move {
        let back = back_of(request.uri().path(), request.uri().query());
        let signed_in_as = if request.method() == axum::http::Method::GET
            && SAYS_WHO.contains(&request.uri().path())
        {
            // A failure here only leaves the line out; the page itself reports what it must.
            match super::visitor::person(&chrome.1, request.headers()).await {
                Ok(Some(p)) => super::visitor::display_name(&p),
                _ => String::new(),
            }
        } else {
            String::new()
        };
        PAGE.scope(
            Page {
                brand: chrome.0,
                back,
                signed_in_as,
            },
            next.run(request),
        )
        .await
    })
    .await
}

/// The pages that say «Вы вошли как … Не вы?»: where someone could be about to act as another.
const SAYS_WHO: [&str; 4] = ["/", "/login", "/authorize", "/authorize/continue"];

/// The signed-in person's name on the pages that show it; empty otherwise.
pub fn signed_in_as() -> String {
    with_page(|p| p.signed_in_as.clone(), String::new())
}

/// `path?query` without `lang` / `ui_locales` (they would override the choice being made).
fn back_of(path: &str, query: Option<&str>) -> String {
    let kept: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let name = p.split('=').next().unwrap_or("");
            name != "lang" && name != "ui_locales"
        })
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

fn with_page<T>(f: impl FnOnce(&Page) -> T, outside: T) -> T {
    PAGE.try_with(f).unwrap_or(outside)
}

/// The switcher's link from a page in `lang` to the other language.
pub fn switch_href(lang: &Lang) -> String {
    let back = with_page(|p| p.back.clone(), "/".to_string());
    let back: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    format!("/lang?to={}&back={back}", lang.other().code())
}

/// The service's name: `branding.name`, else vhod's own in the page's language.
pub fn brand_name(t: &super::i18n::Tr) -> String {
    let name = with_page(|p| p.brand.name.clone(), String::new());
    if name.is_empty() { t.s("brand") } else { name }
}

macro_rules! brand_field {
    ($($name:ident),*) => {$(
        /// The configured value (`branding.*`); empty when not configured.
        pub fn $name() -> String {
            with_page(|p| p.brand.$name.clone(), String::new())
        }
    )*};
}

brand_field!(
    logo_url,
    support_phone,
    support_email,
    terms_url,
    privacy_url
);

/// A way back that stays on this server: a path, never `//host` or a scheme.
fn local_path(back: Option<&str>) -> &str {
    match back {
        Some(b)
            if b.starts_with('/')
                && !b.starts_with("//")
                && !b.starts_with("/\\")
                && b.len() <= 2048
                && !b.chars().any(|c| c.is_control()) =>
        {
            b
        }
        _ => "/",
    }
}

/// Six months: the choice outlives sessions.
const REMEMBER_SECS: i64 = 180 * 24 * 3600;

/// GET /lang?to=en&back=/path: the language switcher.
///
/// A plain link (GET) without a CSRF token, on purpose: it must work on every page, JavaScript
/// off, before any form. What a forged request could do is harmless and visible — set the
/// interface language (cookie, the signed-in account's preference, a sign-in under way), which the
/// person changes back with the same switcher; it reveals nothing and grants nothing. The one way
/// it could be abused, as an open redirect, is closed: `back` is only ever a path on this server
/// (`local_path`; tests/interface_language.rs tries `//host`, schemes, `/\host`, control characters).
pub async fn switch(
    State(app): State<Ctx>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let Some(lang) = p.get("to").and_then(Lang::from_code) else {
        return Err(PageError::page(
            super::page_error::request_lang(),
            StatusCode::BAD_REQUEST,
            "error.bad_request",
        ));
    };
    let back = local_path(p.get("back"));
    // A sign-in under way continues in the new language (its consent and error pages too).
    let back_query = Params::from_query(back.split_once('?').map(|(_, q)| q)).unwrap_or_default();
    if let Some(tx) = back_query.get("tx") {
        login_tx::set_lang(&app, tx, lang).await?;
    }
    let sid = cookies::get(&headers, session::COOKIE);
    if let Some(s) = session::current(&app, sid.as_deref()).await? {
        app.store.set_account_lang(&s.account_id, lang).await?;
    }
    let mut res = Redirect::to(back).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(
            crate::lang::COOKIE,
            lang.code(),
            Some(REMEMBER_SECS),
            app.config.issuer_is_https(),
        ),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_drops_the_language_and_keeps_the_rest() {
        assert_eq!(
            back_of("/login", Some("tx=abc&lang=ru&x=1")),
            "/login?tx=abc&x=1"
        );
        assert_eq!(back_of("/account", Some("ui_locales=en")), "/account");
        assert_eq!(back_of("/", None), "/");
    }

    #[test]
    fn the_switcher_goes_back_only_to_a_path_on_this_server() {
        assert_eq!(local_path(Some("/account?x=1")), "/account?x=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "account",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }
}
