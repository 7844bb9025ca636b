//! What the device grant's page and CIBA's approval page share: the pending request becomes a
//! login transaction ([`AuthRequest`] with [`Protocol::Device`] or [`Protocol::Ciba`]), so the
//! ordinary login pages, second factor, signature and level checks run first
//! ([`authorization::decide`]); then, as at `/authorize` ([`continuation::after_sign_in`]), the
//! organisation choice, and the person sees which portal asks for which data and approves or
//! denies. The decision is recorded for the polling client ([`backchannel::decide`]).

use super::OidcState;
use super::consent_items;
use crate::authn::authorization::{self, Decision};
use crate::authn::backchannel::{self, Approval, Handle, PendingGrant};
use crate::authn::continuation::{self, Interaction, Next};
use crate::authn::login_tx::{self, AuthRequest, Protocol};
use crate::authn::org_choice::{self, OrgStep};
use crate::authn::{self, session};
use crate::identity::permissions;
use crate::store::audit::AuditEntry;
use crate::store::sessions::SessionRow;
use crate::web::extract::SignedInForm;
use crate::web::i18n::{Lang, Tr};
use crate::web::meta::ClientMeta;
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::{cookies, csrf, render};
use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// The login transaction standing for a pending grant.
pub fn auth_request(
    app: &OidcState,
    grant: &PendingGrant,
    protocol: Protocol,
    lang: Lang,
    login_hint: Option<String>,
) -> AuthRequest {
    AuthRequest {
        client_id: grant.client_id.clone(),
        client_name: grant.client_name.clone(),
        redirect_uri: String::new(),
        scopes: grant.scopes.clone(),
        state: None,
        nonce: None,
        code_challenge: None,
        prompt: vec![],
        max_age: None,
        login_hint,
        lang,
        created_at: app.clock.now(),
        needs_fresh_login: false,
        claims: None,
        acr_values: vec![],
        hint_sub: None,
        sector: None,
        min_level: grant.min_level.clone(),
        required_acr: grant.required_acr.clone(),
        // The portal asked scope `organization`: the shared choice step runs after sign-in.
        org: grant.org.clone(),
        protocol,
    }
}

struct Item {
    key: &'static str,
}

/// A user code as devices show it: two groups of four.
fn shown_code(code: &str) -> String {
    let plain: String = code.chars().filter(|c| *c != '-').collect();
    if plain.len() == 8 && plain.is_ascii() {
        format!("{}-{}", &plain[..4], &plain[4..])
    } else {
        plain
    }
}

#[derive(Template)]
#[template(path = "device/approve.html")]
struct DeviceApprovePage {
    t: Tr,
    csrf: String,
    tx: String,
    client_name: String,
    items: Vec<Item>,
    /// The code the person typed, as the device shows it (XXXX-XXXX), to compare once more.
    user_code: String,
    /// The organisation the person approves for, when the portal asked for one.
    org_name: Option<String>,
    action: &'static str,
}

#[derive(Template)]
#[template(path = "ciba/approve.html")]
struct CibaApprovePage {
    t: Tr,
    csrf: String,
    tx: String,
    client_name: String,
    items: Vec<Item>,
    /// The text the portal shows too, so the person knows it is this request.
    binding_message: Option<String>,
    /// The organisation the person approves for, when the portal asked for one.
    org_name: Option<String>,
    action: &'static str,
}

#[derive(Template)]
#[template(path = "device/done.html")]
struct DonePage {
    t: Tr,
    approved: bool,
    client_name: String,
}

/// Sign-in, step-up and level first; then the approval page. `tx`: the transaction when the
/// person comes back from a login step.
pub async fn proceed(
    app: &OidcState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    mut req: AuthRequest,
    tx: Option<String>,
    grant: &PendingGrant,
) -> Result<Response, PageError> {
    let lang = req.lang;
    let internal = |e: &dyn std::fmt::Display| PageError::internal(&e).in_lang(lang);
    let sid = cookies::get(headers, session::COOKIE);
    let current = session::current(app, sid.as_deref())
        .await
        .map_err(|e| internal(&e))?;
    let decision = authorization::decide(app, &mut req, current, tx.as_deref())
        .await
        .map_err(|e| internal(&e))?;
    let session = match decision {
        Decision::LoginRequired => {
            return Err(PageError::page(
                lang,
                StatusCode::BAD_REQUEST,
                "error.tx_expired",
            ));
        }
        Decision::Login { tx } => {
            return Ok(Redirect::to(&format!("/login?tx={tx}")).into_response());
        }
        Decision::StepUp { session } => return step_up(app, meta, req, tx, &session).await,
        Decision::LevelTooLow => {
            return Err(PageError::page(
                lang,
                StatusCode::FORBIDDEN,
                "backchannel.level_too_low",
            ));
        }
        Decision::Proceed { session } => session,
    };
    if grant
        .account_id
        .as_deref()
        .is_some_and(|named| named != session.account_id)
    {
        return Err(PageError::page(
            lang,
            StatusCode::FORBIDDEN,
            "ciba.other_person",
        ));
    }
    // The rest is /authorize's continuation: the organisation choice, then the approval page,
    // which is the consent of a device or CIBA request (asked every time, never remembered).
    let account_id = session.account_id.clone();
    let next = continuation::after_sign_in(
        app,
        &req,
        session,
        tx.as_deref(),
        Interaction::Allowed,
        async |_, _| Ok(true),
    )
    .await
    .map_err(|e| internal(&e))?;
    let (tx, session, org_oid) = match next {
        Next::ChooseOrganisation { tx } => {
            return Ok(Redirect::to(&org_choice::page_url(&tx)).into_response());
        }
        Next::NoOrganisation => return refuse_without_org(app, req, &account_id).await,
        Next::Consent { tx, session, org } => (tx, session, org),
        // Not reached: the approval is always asked and pages are allowed.
        _ => {
            return Err(PageError::page(
                lang,
                StatusCode::BAD_REQUEST,
                "error.tx_expired",
            ));
        }
    };
    let org_name = match org_oid {
        Some(oid) => org_choice::options(app, &req.org, &session.account_id)
            .await
            .map_err(|e| internal(&e))?
            .into_iter()
            .find(|m| m.oid == oid)
            .map(|m| m.short_name),
        None => None,
    };
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let items = consent_items::page_items(&req.scopes, &[], &[])
        .into_iter()
        .map(|(key, _)| Item { key })
        .collect();
    let t = Tr::new(lang);
    let client_name = req.client_name.clone();
    let page = match req.protocol {
        Protocol::Ciba { .. } => render(
            StatusCode::OK,
            &CibaApprovePage {
                t,
                csrf,
                tx,
                client_name,
                items,
                binding_message: grant.binding_message.clone(),
                org_name,
                action: "/ciba/decide",
            },
        ),
        Protocol::Device { ref user_code } => render(
            StatusCode::OK,
            &DeviceApprovePage {
                t,
                csrf,
                tx,
                client_name,
                items,
                user_code: shown_code(user_code),
                org_name,
                action: "/device/decide",
            },
        ),
        // Only device and CIBA transactions come here (the caller filtered them).
        _ => {
            return Err(PageError::page(
                lang,
                StatusCode::BAD_REQUEST,
                "error.tx_expired",
            ));
        }
    };
    Ok(with_cookie(page, cookie))
}

/// The portal requires an organisation and the person has none it accepts: the request is denied
/// (the polling portal is told `access_denied`) and the person sees why. The login transaction is
/// already gone ([`continuation::after_sign_in`]).
async fn refuse_without_org(
    app: &OidcState,
    req: AuthRequest,
    account_id: &str,
) -> Result<Response, PageError> {
    let handle = match &req.protocol {
        Protocol::Device { user_code } => Handle::UserCode(user_code),
        Protocol::Ciba { approval } => Handle::Approval(approval),
        _ => {
            return Err(PageError::page(
                req.lang,
                StatusCode::BAD_REQUEST,
                "error.tx_expired",
            ));
        }
    };
    let denied = backchannel::Decision::Denied;
    if let Some(grant) = backchannel::decide(app, handle, account_id, denied).await? {
        tracing::info!(client = %grant.client_id, "approval refused: the person has no organisation the portal accepts");
        if let Some(ping) = &grant.ping {
            super::ciba::ping(app, ping).await;
        }
    }
    Ok(crate::web::org_choice::no_organisation_here(
        req.lang,
        &req.client_name,
    ))
}

/// The session is weaker than the request demands: the account's second factor (substantial) or
/// its qualified signature (high) within this transaction, or a refusal when it has none.
async fn step_up(
    app: &OidcState,
    meta: &ClientMeta,
    req: AuthRequest,
    tx: Option<String>,
    session: &SessionRow,
) -> Result<Response, PageError> {
    let lang = req.lang;
    let possible = crate::web::step_up::reachable(app, &req, session)
        .await
        .map_err(|e| PageError::internal(&e).in_lang(lang))?;
    if !possible {
        return Err(PageError::page(
            lang,
            StatusCode::FORBIDDEN,
            "backchannel.unmet",
        ));
    }
    crate::web::step_up::ask(app, meta, &req, tx, session).await
}

/// POST /device/decide and /ciba/decide: approve or deny, as the signed-in person, the request
/// of the transaction `tx`; `kind` is which of the two pages posted.
pub async fn decide(
    app: &OidcState,
    form: SignedInForm,
    kind: backchannel::Kind,
) -> Result<Response, PageError> {
    let SignedInForm {
        session,
        form: p,
        lang,
        ..
    } = form;
    let gone = || PageError::page(lang, StatusCode::BAD_REQUEST, "backchannel.gone");
    let req = login_tx::take_tx(app, p.get("tx").unwrap_or(""))
        .await?
        .ok_or_else(gone)?;
    let handle = match (&req.protocol, kind) {
        (Protocol::Device { user_code }, backchannel::Kind::Device) => Handle::UserCode(user_code),
        (Protocol::Ciba { approval }, backchannel::Kind::Ciba) => Handle::Approval(approval),
        _ => return Err(gone()),
    };
    // The page was shown to a session at the required acr; the form must come from such a one.
    if authn::acr_of(&session.acr) < req.required_acr.parse().unwrap_or(crate::types::Acr::Low) {
        return Err(PageError::page(
            lang,
            StatusCode::FORBIDDEN,
            "backchannel.unmet",
        ));
    }
    // The organisation chosen on the choice page, checked again (the person may have left it).
    let org_oid = match org_choice::step(app, &req, &session.account_id).await? {
        OrgStep::NotAsked | OrgStep::Decided(None) => None,
        OrgStep::Decided(Some(oid)) => Some(oid),
        OrgStep::Choose | OrgStep::NoOrganisation => return Err(gone()),
    };
    let approved = p.get("decision") == Some("allow");
    let decision = if approved {
        backchannel::Decision::Approved(Approval {
            account_id: session.account_id.to_string(),
            acr: session.acr.clone(),
            amr: session::amr_of(&session),
            auth_time: session.auth_time,
            org_oid,
        })
    } else {
        backchannel::Decision::Denied
    };
    let grant = backchannel::decide(app, handle, &session.account_id, decision)
        .await?
        .ok_or_else(gone)?;
    let account = session.account_id.clone();
    match (approved, org_oid) {
        (true, Some(oid)) => {
            crate::orgs::portals::give(app, &account, &grant.client_id, oid, &grant.scopes, &[])
                .await?;
        }
        (true, None) => {
            permissions::give(app, &account, &grant.client_id, &grant.scopes, &[]).await?;
        }
        (false, _) => {}
    }
    let prefix = match kind {
        backchannel::Kind::Device => "device",
        backchannel::Kind::Ciba => "ciba",
    };
    let action = format!("{prefix}.{}", if approved { "approve" } else { "deny" });
    app.store
        .append_audit(AuditEntry {
            actor: &session.account_id,
            action: &action,
            target: &grant.client_id,
            request_id: &crate::request_id::current(),
            details: serde_json::json!({ "acr": session.acr, "scope": grant.scopes.join(" "), "org": org_oid }),
        })
        .await?;
    if let Some(ping) = &grant.ping {
        super::ciba::ping(app, ping).await;
    }
    Ok(render(
        StatusCode::OK,
        &DonePage {
            t: Tr::new(lang),
            approved,
            client_name: grant.client_name,
        },
    ))
}
