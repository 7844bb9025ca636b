//! The admin web console: server-rendered pages over the same operations and guards as the API.
//! Sign-in by bootstrap token (kept in an HttpOnly, SameSite=Strict cookie scoped to /admin), or
//! through vhod itself with a second factor (console_oidc.rs).

use super::auth::{self, Caller};
use super::console_audit::{AuditFilter, AuditLine};
use super::{Role, op};
use crate::clients;
use crate::crypto::keyring::{KeyError, Revoked, SigningAlg};
use crate::crypto::maintenance::keep_retired;
use crate::oidc::OidcState;
use crate::store::audit::AuditEntry;
use crate::store::change::Change;
use crate::web::i18n::{Lang, Tr};
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::params::Params;
use crate::web::{cookies, csrf, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

const COOKIE: &str = "vhod_admin";

pub(super) fn admin_cookie(app: &OidcState, value: &str, max_age: i64) -> HeaderValue {
    let mut c =
        format!("{COOKIE}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age}");
    if app.config.issuer_is_https() {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("token is url-safe")
}

/// The console's language: the switcher's choice, else the browser's (its error pages too).
pub(super) fn lang_of(headers: &HeaderMap) -> Lang {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::pick(None, crate::web::meta::remembered_lang(headers), accept)
}

/// A refusal page of the console.
fn refusal(lang: Lang, status: StatusCode, key: &'static str) -> PageError {
    PageError::page(lang, status, key)
}

/// A console form's `action` checked against the admin API operation it stands for (`routes`:
/// action, method, path): unknown → 400, not the caller's role → 403.
pub(super) fn permitted(
    c: &Caller,
    lang: Lang,
    action: &str,
    routes: &[(&str, &str, &str)],
) -> Result<(), PageError> {
    let Some((_, method, path)) = routes.iter().find(|(a, _, _)| *a == action) else {
        return Err(refusal(lang, StatusCode::BAD_REQUEST, "error.bad_request"));
    };
    if c.require(super::op(method, path)).is_err() {
        return Err(refusal(lang, StatusCode::FORBIDDEN, "admin.forbidden"));
    }
    Ok(())
}

/// Commits a console action's change with its audit entry, under the same name as its admin API
/// operation: both or neither.
pub(super) async fn commit(
    change: Change<'_>,
    c: &Caller,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<(), crate::store::StoreError> {
    change
        .commit(AuditEntry {
            actor: &c.actor,
            action,
            target,
            request_id: &crate::request_id::current(),
            details,
        })
        .await?;
    Ok(())
}

/// Grants a role in a change (committed by the caller with its entry).
async fn grant<'a>(
    app: &'a OidcState,
    account: &str,
    role: &str,
) -> Result<Change<'a>, crate::store::StoreError> {
    let mut change = app.store.change().await?;
    change.grant_role(account, role).await?;
    Ok(change)
}

pub(super) async fn caller(app: &OidcState, headers: &HeaderMap) -> Option<Caller> {
    let token = cookies::get(headers, COOKIE)?;
    auth::authenticate_token(app, &token).await.ok()
}

pub struct KeyLine {
    pub kid: String,
    pub alg: String,
    pub state: String,
    /// The state in words (i18n key `admin.key_<state>`).
    pub state_key: &'static str,
}

/// A signing key's state in words.
fn key_state_key(state: &str) -> &'static str {
    match state {
        "next" => "admin.key_next",
        "active" => "admin.key_active",
        "retired" => "admin.key_retired",
        "expired" => "admin.key_expired",
        "revoked" => "admin.key_revoked",
        _ => "admin.key_unknown",
    }
}

pub struct ClientLine {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "admin_console.html")]
struct ConsolePage {
    t: Tr,
    csrf: String,
    actor: String,
    keys: Option<Vec<KeyLine>>,
    clients: Option<Vec<ClientLine>>,
    audit: Option<Vec<AuditLine>>,
    filter: AuditFilter,
    /// Links to the previous and the next page of the audit log.
    audit_prev: String,
    audit_next: String,
    admins: Option<Vec<(String, String)>>,
    operator: bool,
    /// Organisations left without a chief (operators only).
    orphan_orgs: Option<Vec<crate::store::orgs::OrgRow>>,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_login.html")]
struct LoginPage {
    t: Tr,
    csrf: String,
    failed: bool,
}

fn login_page(app: &OidcState, headers: &HeaderMap, failed: bool) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let status = if failed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    with_cookie(
        render(
            status,
            &LoginPage {
                t: Tr::new(lang_of(headers)),
                csrf,
                failed,
            },
        ),
        cookie,
    )
}

pub async fn page(
    State(app): State<OidcState>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Result<Response, PageError> {
    let Some(c) = caller(&app, &headers).await else {
        return Ok(login_page(&app, &headers, false));
    };
    let filter = AuditFilter::read(&Params::from_query(q.as_deref()).unwrap_or_default());
    // The outcome of the action posted just before (Post/Redirect/Get), shown once.
    let flash = crate::web::flash::take(&app, &headers);
    let message = flash.as_ref().map(|(m, _)| m.clone());
    let mut res = show(&app, &headers, &c, message, filter).await?;
    if let Some((_, spent)) = flash {
        res.headers_mut().append(header::SET_COOKIE, spent);
    }
    Ok(res)
}

async fn show(
    app: &OidcState,
    headers: &HeaderMap,
    c: &Caller,
    message: Option<String>,
    filter: AuditFilter,
) -> Result<Response, PageError> {
    let lang = lang_of(headers);
    let ru = |e: crate::store::StoreError| PageError::from(e).in_lang(lang);
    let may = |method: &str, path: &str| c.require(op(method, path)).is_ok();
    let keys = if may("get", "/admin/api/keys") {
        let keys = app.store.all_signing_keys().await.map_err(ru)?;
        Some(
            keys.into_iter()
                .map(|k| KeyLine {
                    state_key: key_state_key(&k.state),
                    kid: k.kid,
                    alg: k.alg,
                    state: k.state,
                })
                .collect(),
        )
    } else {
        None
    };
    let clients = if may("get", "/admin/api/clients") {
        let list = clients::list(&app.store).await.map_err(ru)?;
        Some(
            list.into_iter()
                .map(|c| ClientLine {
                    kind: if c.is_public {
                        "admin.public"
                    } else {
                        "admin.confidential"
                    },
                    id: c.id.to_string(),
                    name: c.name,
                })
                .collect(),
        )
    } else {
        None
    };
    let t = Tr::new(lang);
    let (mut audit_prev, mut audit_next) = (String::new(), String::new());
    let audit = if c.has(Role::Auditor) && may("get", "/admin/api/audit") {
        let shown = super::console_audit::page(app, &t, &filter)
            .await
            .map_err(ru)?;
        (audit_prev, audit_next) = (shown.newer, shown.older);
        Some(shown.lines)
    } else {
        None
    };
    let admins = if c.has(Role::SecurityAdmin) {
        Some(app.store.all_roles().await.map_err(ru)?)
    } else {
        None
    };
    let operator = may("post", "/admin/api/operator/confirm");
    let orphan_orgs = super::console_orgs::for_operator(app, operator)
        .await
        .map_err(ru)?;
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &ConsolePage {
                t: Tr::new(lang),
                csrf,
                actor: c.actor.clone(),
                keys,
                clients,
                audit,
                filter,
                audit_prev,
                audit_next,
                admins,
                operator,
                orphan_orgs,
                message,
            },
        ),
        cookie,
    ))
}

/// A console form: readable (else 400) with the right CSRF token (else 403). The console keeps
/// its own scheme: Russian pages, no session of the person (its cookie is checked by the caller).
pub(super) fn form(headers: &HeaderMap, body: &[u8]) -> Result<Params, PageError> {
    let lang = lang_of(headers);
    let p = Params::from_form(headers, body)
        .map_err(|_| refusal(lang, StatusCode::BAD_REQUEST, "error.bad_request"))?;
    if !csrf::verify(headers, p.get(csrf::FIELD)) {
        return Err(refusal(lang, StatusCode::FORBIDDEN, "error.csrf"));
    }
    Ok(p)
}

pub async fn login(
    State(app): State<OidcState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form(&headers, &body)?;
    let token = p.get("token").unwrap_or("").trim().to_string();
    if auth::authenticate_token(&app, &token).await.is_err() {
        return Ok(login_page(&app, &headers, true));
    }
    let mut res = Redirect::to("/admin/console").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, admin_cookie(&app, &token, 3600));
    Ok(res)
}

pub async fn logout(
    State(app): State<OidcState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    form(&headers, &body)?;
    let mut res = Redirect::to("/admin/console").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, admin_cookie(&app, "", 0));
    Ok(res)
}

/// POST /admin/console/action: one form handler, each action checked like its API twin.
pub async fn action(
    State(app): State<OidcState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form(&headers, &body)?;
    let lang = lang_of(&headers);
    let Some(c) = caller(&app, &headers).await else {
        return Ok(login_page(&app, &headers, false));
    };
    let (method, path) = match p.get("action") {
        Some("rotate") => ("post", "/admin/api/keys/rotate"),
        Some("revoke") => ("post", "/admin/api/keys/{kid}/revoke"),
        Some("disable") => ("post", "/admin/api/clients/{client_id}/disable"),
        // Granting roles is key-management-level power: the same guard as key rotation.
        Some("grant") => ("post", "/admin/api/keys/rotate"),
        Some("confirm") => ("post", "/admin/api/operator/confirm"),
        _ => return Err(refusal(lang, StatusCode::BAD_REQUEST, "error.bad_request")),
    };
    if c.require(op(method, path)).is_err() {
        return Err(refusal(lang, StatusCode::FORBIDDEN, "admin.forbidden"));
    }
    // Destructive actions carry the person's explicit confirmation (a required checkbox).
    if matches!(p.get("action"), Some("revoke" | "disable")) && p.get("confirm") != Some("yes") {
        return Err(refusal(
            lang,
            StatusCode::BAD_REQUEST,
            "admin.confirm_needed",
        ));
    }
    if p.get("action") == Some("confirm") {
        // Audited by the level change itself (actor = this operator).
        let message = match super::handlers::confirm_in_person(
            &app,
            p.get("snils").unwrap_or(""),
            p.get("series").unwrap_or(""),
            p.get("number").unwrap_or(""),
            &c.actor,
        )
        .await
        {
            Ok(account) => format!("account.level confirmed: {account}"),
            Err(problem) => problem.detail,
        };
        return Ok(crate::web::flash::redirect(
            &app,
            "/admin/console",
            &message,
        ));
    }
    let target = p.get("target").unwrap_or("").to_string();
    // Each action writes in a change that commits only with its audit entry.
    let result: Result<(String, &str, serde_json::Value, Change<'_>), String> = match p
        .get("action")
    {
        Some("rotate") => {
            let alg =
                SigningAlg::parse(p.get("alg").unwrap_or("RS256")).unwrap_or(SigningAlg::Rs256);
            app.keyring
                .rotate_staged(
                    &app.store,
                    alg,
                    p.get("now") == Some("on"),
                    keep_retired(&app.config),
                )
                .await
                .map(|(kid, change)| {
                    (
                        kid,
                        "key.rotate",
                        serde_json::json!({ "alg": alg.name() }),
                        change,
                    )
                })
                .map_err(|e| e.to_string())
        }
        Some("revoke") => match app.keyring.revoke_staged(&app.store, &target).await {
            Ok((Revoked::Done { replacement }, change)) => Ok((
                target.clone(),
                "key.revoke",
                serde_json::json!({ "reason": p.get("reason").unwrap_or(""), "replacement": replacement }),
                change,
            )),
            Ok((Revoked::Unknown, _)) => Err(format!("no key {target}")),
            Err(e) => Err(e.to_string()),
        },
        Some("grant") => match Role::parse(p.get("role").unwrap_or("")) {
            None => Err("unknown role".to_string()),
            Some(role) => match app.store.account(&target).await {
                Ok(Some(_)) => grant(&app, &target, role.name())
                    .await
                    .map(|change| {
                        (
                            target.clone(),
                            "admin.grant_role",
                            serde_json::json!({ "role": role.name() }),
                            change,
                        )
                    })
                    .map_err(|e| e.to_string()),
                Ok(None) => Err(format!("no account {target}")),
                Err(e) => Err(e.to_string()),
            },
        },
        _ => clients::disable_staged(&app, &app.clients, &target)
            .await
            .map(|change| {
                (
                    target.clone(),
                    "client.disable",
                    serde_json::json!({}),
                    change,
                )
            })
            .map_err(|e| e.to_string()),
    };
    let message = match result {
        Ok((subject, action, details, change)) => {
            let entry = AuditEntry {
                actor: &c.actor,
                action,
                target: &subject,
                request_id: &crate::request_id::current(),
                details,
            };
            let committed = if action.starts_with("key.") {
                app.keyring
                    .commit(&app.store, change, entry)
                    .await
                    .map_err(|e| match e {
                        KeyError::Store(e) => PageError::from(e),
                        e => PageError::internal(&e),
                    })
            } else {
                change
                    .commit(entry)
                    .await
                    .map(drop)
                    .map_err(PageError::from)
            };
            committed.map_err(|e| e.in_lang(lang))?;
            format!("{action}: {subject}")
        }
        Err(e) => e,
    };
    // 303 to the console: a reload shows the outcome again instead of rotating a second key.
    Ok(crate::web::flash::redirect(
        &app,
        "/admin/console",
        &message,
    ))
}
