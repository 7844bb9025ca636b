//! Consent: the person sees every item of data the portal will receive (oidc/consent_items) and
//! allows or denies. Remembered per client, scopes and claims named one by one; asked again when a
//! portal wants more, or with prompt=consent.

use super::OidcState;
use super::authorize;
use super::consent_items;
use crate::authn::login_tx::{self, AuthRequest};
use crate::identity::permissions;
use crate::orgs;
use crate::store::StoreError;
use crate::store::orgs::MembershipRow;
use crate::web::extract::SignedInForm;
use crate::web::i18n::Tr;
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::{csrf, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

fn words(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Consent covers the union of the scopes and the claims asked for one by one (`claims`, ID token
/// and userinfo members, unverified ones apart): a remembered consent that misses any of them is
/// asked again (and prompt=none then answers consent_required).
pub async fn is_needed(
    app: &OidcState,
    account_id: &str,
    req: &AuthRequest,
) -> Result<bool, StoreError> {
    if req.prompt.iter().any(|p| p == "consent") {
        return Ok(true);
    }
    let wanted: Vec<&String> = req.scopes.iter().filter(|s| *s != "openid").collect();
    let wanted_claims = consent_items::consent_claims(&req.scopes, req.claims.as_ref());
    if wanted.is_empty() && wanted_claims.is_empty() {
        return Ok(false);
    }
    // Consent is per portal and organisation: acting for an organisation asks again.
    let (scopes, claims) = match req.org.chosen_org(account_id) {
        Some(oid) => orgs::portals::consent(app, account_id, &req.client_id, oid).await?,
        None => {
            let (s, c) = app
                .store
                .consent(account_id, &req.client_id)
                .await?
                .unwrap_or_default();
            (words(&s), words(&c))
        }
    };
    Ok(!(wanted.iter().all(|s| scopes.contains(s))
        && consent_items::covered(&wanted_claims, &scopes, &claims)))
}

/// One item of data on the page, and whether it may be released still unverified.
struct Item {
    key: &'static str,
    unverified: bool,
}

#[derive(Template)]
#[template(path = "orgsel/consent_org.html")]
struct ConsentPage {
    t: Tr,
    csrf: String,
    tx: String,
    client_name: String,
    items: Vec<Item>,
    /// Where the decision is posted (each protocol surface continues its own requests).
    action: &'static str,
    /// The organisation the person acts for, when the portal asked for one.
    org: Option<MembershipRow>,
    /// The portal asked for an organisation and the person acts as a private person.
    org_private: bool,
}

impl ConsentPage {
    fn kind_key(&self, kind: &str) -> &'static str {
        crate::web::org_choice::kind_key(kind)
    }

    fn role_key(&self, role: &str) -> &'static str {
        crate::web::org_choice::role_key(role)
    }
}

pub async fn page(
    app: &OidcState,
    headers: &HeaderMap,
    req: &AuthRequest,
    tx: &str,
    account_id: &str,
) -> Result<Response, StoreError> {
    let org = match req.org.chosen_org(account_id) {
        Some(oid) => app
            .store
            .memberships(account_id)
            .await?
            .into_iter()
            .find(|m| m.oid == oid),
        None => None,
    };
    let org_private = req.org.asked && org.is_none();
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let claims = req.claims.as_ref();
    let items = consent_items::page_items(
        &req.scopes,
        &consent_items::requested_claims(claims),
        &consent_items::requested_unverified(claims),
    )
    .into_iter()
    .map(|(key, unverified)| Item { key, unverified })
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
                action: "/consent",
                org,
                org_private,
            },
        ),
        cookie,
    ))
}

/// POST /consent: allow → remember and issue the code; deny → access_denied to the portal.
pub async fn decide(
    State(app): State<OidcState>,
    SignedInForm {
        session,
        form: p,
        lang,
        ..
    }: SignedInForm,
) -> Result<Response, PageError> {
    let req = login_tx::take_tx(&app, p.get("tx").unwrap_or(""))
        .await?
        // Another protocol's request is decided at its own surface.
        .filter(|r| r.protocol == login_tx::Protocol::Oidc)
        .ok_or_else(|| PageError::page(lang, StatusCode::BAD_REQUEST, "error.tx_expired"))?;
    match p.get("decision") {
        Some("allow") => {
            let wanted = consent_items::consent_claims(&req.scopes, req.claims.as_ref());
            match req.org.chosen_org(&session.account_id) {
                Some(oid) => {
                    orgs::portals::give(
                        &app,
                        &session.account_id,
                        &req.client_id,
                        oid,
                        &req.scopes,
                        &wanted,
                    )
                    .await?
                }
                None => {
                    permissions::give(
                        &app,
                        &session.account_id,
                        &req.client_id,
                        &req.scopes,
                        &wanted,
                    )
                    .await?
                }
            }
            authorize::issue_code(&app, &req, &session).await
        }
        _ => Ok(authorize::error_redirect(
            &app,
            &req.redirect_uri,
            req.state.as_deref(),
            "access_denied",
            "the person denied access",
        )),
    }
}
