//! The continuation of an ESIA request in the one domain ([`continuation::next`]: login, step-up,
//! level, the organisation the person acts for when the portal asked `scope_org`, consent, code)
//! answered in ESIA: the consent page naming every item the portal receives (the same page and
//! remembered permissions as OpenID's), a code and `state` to the redirect_uri, or an ESIA error
//! there.

use super::errors::EsiaError;
use super::{scopes, tokens};
use crate::authn::continuation::{self, Interaction, Next};
use crate::authn::login_tx::{self, AuthRequest, Protocol};
use crate::authn::org_choice;
use crate::ctx::Ctx;
use crate::identity::permissions;
use crate::store::StoreError;
use crate::store::orgs::MembershipRow;
use crate::store::sessions::SessionRow;
use crate::web::extract::SignedInForm;
use crate::web::i18n::Tr;
use crate::web::meta::ClientMeta;
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::params::Params;
use crate::web::{csrf, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// Where the consent page posts an ESIA request's decision.
pub const CONSENT_PATH: &str = "/aas/oauth2/v2/consent";

fn offline(req: &AuthRequest) -> bool {
    matches!(req.protocol, Protocol::Esia { offline: true })
}

fn refuse(req: &AuthRequest, e: EsiaError) -> Response {
    e.redirect(&req.redirect_uri, req.state.as_deref())
}

/// Login, step-up, consent or code: after the request is checked, and again after each step.
pub async fn decide(
    ctx: &Ctx,
    meta: &ClientMeta,
    headers: &HeaderMap,
    mut req: AuthRequest,
    tx: Option<String>,
) -> Result<Response, PageError> {
    let lang = req.lang;
    let internal = |e: &dyn std::fmt::Display| PageError::internal(&e).in_lang(lang);
    let current = crate::web::visitor::session(ctx, headers)
        .await
        .map_err(|e| internal(&e))?;
    let next = continuation::next(
        ctx,
        &mut req,
        current,
        tx.as_deref(),
        Interaction::Allowed,
        async |req, session| consent_needed(ctx, session, req).await,
    )
    .await
    .map_err(|e| internal(&e))?;
    match next {
        // ESIA has no prompt=none: not reached, but answered as ESIA would.
        Next::LoginRequired | Next::InteractionRequired(_) => Ok(refuse(&req, EsiaError::Refused)),
        Next::Login { tx } => Ok(Redirect::to(&format!("/login?tx={tx}")).into_response()),
        Next::StepUp { session } => step_up(ctx, meta, req, tx, &session).await,
        Next::LevelTooLow => {
            // The person is told how to reach the level; the portal gets ESIA-007055 (or
            // 007004 for a standard level) when they go back to it.
            let e = if req.min_level == "confirmed" {
                EsiaError::Unconfirmed
            } else {
                EsiaError::Refused
            };
            let back = e
                .url(&req.redirect_uri, req.state.as_deref())
                .unwrap_or_default();
            Ok(crate::web::identity::level_required_page(
                lang,
                &req.client_name,
                &req.min_level,
                &back,
            ))
        }
        // Signing in for an organisation (`scope_org`): the shared choice step before consent.
        Next::ChooseOrganisation { tx } => {
            Ok(Redirect::to(&org_choice::page_url(&tx)).into_response())
        }
        Next::NoOrganisation => {
            let back = EsiaError::Refused
                .url(&req.redirect_uri, req.state.as_deref())
                .unwrap_or_default();
            Ok(crate::web::org_choice::no_organisation_page(
                lang,
                &req.client_name,
                &back,
            ))
        }
        Next::Consent { tx, session, org } => {
            consent_page(ctx, headers, &req, &tx, &session.account_id, org)
                .await
                .map_err(|e| internal(&e))
        }
        Next::Code { session, .. } => issue_code(ctx, &req, &session).await,
    }
}

/// GET /aas/oauth2/v2/ac/continue?tx=…: back from the login pages.
pub async fn resume(
    State(ctx): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let expired = || PageError::page(meta.lang(None), StatusCode::BAD_REQUEST, "error.tx_expired");
    let tx = p.get("tx").ok_or_else(expired)?;
    let req = login_tx::load_tx(&ctx, tx)
        .await?
        .filter(|r| matches!(r.protocol, Protocol::Esia { .. }))
        .ok_or_else(expired)?;
    decide(&ctx, &meta, &headers, req, Some(tx.to_string())).await
}

/// The session is weaker than the portal demands: the account's second factor (or a qualified
/// signature for `high`) within this request, or ESIA-007004 when the person has none.
async fn step_up(
    ctx: &Ctx,
    meta: &ClientMeta,
    req: AuthRequest,
    tx: Option<String>,
    session: &SessionRow,
) -> Result<Response, PageError> {
    let possible = crate::web::step_up::reachable(ctx, &req, session)
        .await
        .map_err(|e| PageError::internal(&e).in_lang(req.lang))?;
    if !possible {
        return Ok(refuse(&req, EsiaError::Refused));
    }
    crate::web::step_up::ask(ctx, meta, &req, tx, session).await
}

fn words(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The permissions the request needs: its scopes but `openid` (an organisation scope by its name:
/// the organisation itself is the person's choice each time), and offline access.
fn wanted(req: &AuthRequest) -> Vec<String> {
    let mut out: Vec<String> = req
        .scopes
        .iter()
        .filter(|s| *s != "openid")
        .map(|s| scopes::split_item(s).0.to_string())
        .collect();
    if offline(req) {
        out.push("offline_access".into());
    }
    out
}

/// Asked unless the person already allowed this portal every scope it asks for now.
async fn consent_needed(
    ctx: &Ctx,
    session: &SessionRow,
    req: &AuthRequest,
) -> Result<bool, StoreError> {
    let wanted = wanted(req);
    if wanted.is_empty() {
        return Ok(false);
    }
    let (given, _) = ctx
        .store
        .consent(&session.account_id, &req.client_id)
        .await?
        .unwrap_or_default();
    let given = words(&given);
    if !wanted.iter().all(|s| given.contains(s)) {
        return Ok(true);
    }
    // Acting for an organisation: its scopes need the consent for that organisation too (which
    // the organisation's chief or admins can withdraw from its page).
    match req.org.chosen_org(&session.account_id) {
        Some(oid) => {
            let (for_org, _) =
                crate::orgs::portals::consent(ctx, &session.account_id, &req.client_id, oid)
                    .await?;
            Ok(!org_scopes(req).iter().all(|s| for_org.contains(s)))
        }
        None => Ok(false),
    }
}

/// The organisation scopes the request asks for, by name.
fn org_scopes(req: &AuthRequest) -> Vec<String> {
    wanted(req)
        .into_iter()
        .filter(|s| scopes::is_org_scope(s))
        .collect()
}

struct Item {
    key: &'static str,
    unverified: bool,
}

/// The consent page (templates/consent.html with the organisation the person acts for, shared
/// with OpenID), posting to ESIA's decision.
#[derive(Template)]
#[template(path = "orgsel/consent_org.html")]
struct ConsentPage {
    t: Tr,
    csrf: String,
    tx: String,
    client_name: String,
    items: Vec<Item>,
    action: &'static str,
    org: Option<MembershipRow>,
    org_private: bool,
}

impl ConsentPage {
    fn role_key(&self, role: &str) -> &'static str {
        crate::web::org_choice::role_key(role)
    }

    fn kind_key(&self, kind: &str) -> &'static str {
        crate::web::org_choice::kind_key(kind)
    }
}

async fn consent_page(
    ctx: &Ctx,
    headers: &HeaderMap,
    req: &AuthRequest,
    tx: &str,
    account_id: &str,
    org: Option<i64>,
) -> Result<Response, StoreError> {
    let org = match org {
        Some(oid) => ctx
            .store
            .memberships(account_id)
            .await?
            .into_iter()
            .find(|m| m.oid == oid),
        None => None,
    };
    let (csrf, cookie) = csrf::token(headers, ctx.config.issuer_is_https());
    let items = scopes::consent_items(&req.scopes, offline(req))
        .into_iter()
        .map(|key| Item {
            key,
            unverified: false,
        })
        .collect();
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &ConsentPage {
                t: Tr::new(req.lang),
                csrf,
                tx: tx.to_string(),
                client_name: req.client_name.clone(),
                items,
                action: CONSENT_PATH,
                org,
                org_private: false,
            },
        ),
        cookie,
    ))
}

/// POST /aas/oauth2/v2/consent: allow → remember and issue the code; deny → ESIA-007004.
pub async fn consent(
    State(ctx): State<Ctx>,
    SignedInForm {
        session,
        form: p,
        lang,
        ..
    }: SignedInForm,
) -> Result<Response, PageError> {
    let req = login_tx::take_tx(&ctx, p.get("tx").unwrap_or(""))
        .await?
        .filter(|r| matches!(r.protocol, Protocol::Esia { .. }))
        .ok_or_else(|| PageError::page(lang, StatusCode::BAD_REQUEST, "error.tx_expired"))?;
    match p.get("decision") {
        Some("allow") => {
            permissions::give(
                &ctx,
                &session.account_id,
                &req.client_id,
                &wanted(&req),
                &[],
            )
            .await?;
            if let Some(oid) = req.org.chosen_org(&session.account_id) {
                crate::orgs::portals::give(
                    &ctx,
                    &session.account_id,
                    &req.client_id,
                    oid,
                    &org_scopes(&req),
                    &[],
                )
                .await?;
            }
            issue_code(&ctx, &req, &session).await
        }
        _ => Ok(refuse(&req, EsiaError::Refused)),
    }
}

/// Issues the code and sends the browser back with `code` and `state`, as ESIA does.
async fn issue_code(
    ctx: &Ctx,
    req: &AuthRequest,
    session: &SessionRow,
) -> Result<Response, PageError> {
    let internal = |e: &dyn std::fmt::Display| PageError::internal(&e).in_lang(req.lang);
    // The organisation chosen (and still the person's, checked by the step just before) names
    // itself in each organisation scope: `org_*?org_oid=N`.
    let mut req = req.clone();
    match req.org.chosen_org(&session.account_id) {
        Some(oid) => {
            for s in &mut req.scopes {
                if scopes::is_org_scope(s) {
                    *s = scopes::org_item(s, oid);
                }
            }
        }
        None => req.scopes.retain(|s| !scopes::is_org_scope(s)),
    }
    let req = &req;
    let code = tokens::store_code(ctx, req, session, offline(req))
        .await
        .map_err(|e| internal(&e))?;
    let mut url = url::Url::parse(&req.redirect_uri).map_err(|e| internal(&e))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(s) = &req.state {
            q.append_pair("state", s);
        }
    }
    tracing::info!(client = %req.client_id, account = %session.account_id, acr = %session.acr, "ESIA authorization code issued");
    Ok(Redirect::to(url.as_str()).into_response())
}
