//! The organisation choice page of a pending authorization request (`authn::org_choice`), shared
//! by the OpenID and ESIA surfaces: «От чьего имени войти на портал?» — each of the person's
//! organisations the portal accepts (name, OGRN, role), and «Как частное лицо» when the portal
//! allows it. The choice is recorded on the request, and the browser goes back to the protocol's
//! continuation. Also the refusal page when the portal requires an organisation and the person
//! has none that it accepts.

use super::csrf;
use super::extract::{Language, SignedInForm, signed_in};
use super::i18n::{Lang, Tr};
use super::page_error::PageError;
use super::pages::with_cookie;
use super::render;
use crate::authn::login_tx::load_tx;
use crate::authn::org_choice::{self, ChoiceError};
use crate::ctx::Ctx;
use crate::store::orgs::MembershipRow;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "orgsel/choose.html")]
struct ChoosePage {
    t: Tr,
    csrf: String,
    tx: String,
    client_name: String,
    orgs: Vec<MembershipRow>,
    private_allowed: bool,
}

impl ChoosePage {
    fn role_key(&self, role: &str) -> &'static str {
        role_key(role)
    }

    fn kind_key(&self, kind: &str) -> &'static str {
        kind_key(kind)
    }
}

/// The text key of a member's role.
pub fn role_key(role: &str) -> &'static str {
    match role {
        "chief" => "orgs.role.chief",
        "admin" => "orgs.role.admin",
        _ => "orgs.role.employee",
    }
}

/// The text key of an organisation's type.
pub fn kind_key(kind: &str) -> &'static str {
    match kind {
        crate::orgs::BUSINESS => "orgs.kind.business",
        _ => "orgs.kind.legal",
    }
}

#[derive(Template)]
#[template(path = "orgsel/refused.html")]
struct RefusedPage {
    t: Tr,
    client_name: String,
    /// The way back to the portal (its redirect URI with `access_denied`); none for a request made
    /// on another device (device grant, CIBA), which learns the refusal when it polls.
    back: Option<String>,
}

/// «Портал … принимает вход только от имени организации»: the person has no organisation the
/// portal accepts. `back` is the portal's redirect URI with `access_denied`.
pub fn no_organisation_page(lang: Lang, client_name: &str, back: &str) -> Response {
    render(
        StatusCode::FORBIDDEN,
        &RefusedPage {
            t: Tr::new(lang),
            client_name: client_name.to_string(),
            back: Some(back.to_string()),
        },
    )
}

/// The same refusal for a request made on another device: no way back to show.
pub fn no_organisation_here(lang: Lang, client_name: &str) -> Response {
    render(
        StatusCode::FORBIDDEN,
        &RefusedPage {
            t: Tr::new(lang),
            client_name: client_name.to_string(),
            back: None,
        },
    )
}

/// GET /org-choice?tx=…
pub async fn page(
    State(ctx): State<Ctx>,
    Language(lang): Language,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = super::params::Params::from_query(q.as_deref()).unwrap_or_default();
    let expired = || PageError::page(lang, StatusCode::BAD_REQUEST, "error.tx_expired");
    let tx = p.get("tx").ok_or_else(expired)?;
    let req = load_tx(&ctx, tx)
        .await?
        .filter(|r| r.org.asked)
        .ok_or_else(expired)?;
    let session = signed_in(&ctx, &headers)
        .await
        .map_err(|e| e.in_lang(req.lang))?;
    let orgs = org_choice::options(&ctx, &req.org, &session.account_id).await?;
    let (csrf, cookie) = csrf::token(&headers, ctx.config.issuer_is_https());
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &ChoosePage {
                t: Tr::new(req.lang),
                csrf,
                tx: tx.to_string(),
                client_name: req.client_name.clone(),
                orgs,
                private_allowed: !req.org.required,
            },
        ),
        cookie,
    ))
}

/// POST /org-choice: `org` = an oid or `private`; back to the protocol's continuation.
pub async fn choose(
    State(ctx): State<Ctx>,
    SignedInForm {
        session,
        form,
        lang,
        ..
    }: SignedInForm,
) -> Result<Response, PageError> {
    let tx = form.get("tx").unwrap_or("");
    let oid =
        match form.get("org") {
            Some("private") => None,
            Some(v) => Some(v.parse::<i64>().map_err(|_| {
                PageError::page(lang, StatusCode::BAD_REQUEST, "orgsel.not_allowed")
            })?),
            None => {
                return Err(PageError::page(
                    lang,
                    StatusCode::BAD_REQUEST,
                    "orgsel.pick_one",
                ));
            }
        };
    match org_choice::choose(&ctx, tx, &session.account_id, oid).await {
        Ok(req) => {
            tracing::info!(client = %req.client_id, account = %session.account_id, org = ?oid, "organisation chosen for a sign-in");
            Ok(Redirect::to(&req.protocol.continue_url(tx)).into_response())
        }
        Err(ChoiceError::TxExpired) => Err(PageError::page(
            lang,
            StatusCode::BAD_REQUEST,
            "error.tx_expired",
        )),
        Err(ChoiceError::NotAllowed) => Err(PageError::page(
            lang,
            StatusCode::FORBIDDEN,
            "orgsel.not_allowed",
        )),
        Err(ChoiceError::Store(e)) => Err(e.into()),
        Err(ChoiceError::Cache(e)) => Err(e.into()),
    }
}
