//! Step-up within a login transaction (ARCHITECTURE §3): a session weaker than the portal demands
//! is asked for the account's second factor (substantial) or a qualified signature (high), or the
//! portal is refused when the person cannot reach it.

use super::OidcState;
use super::authorize::error_redirect;
use crate::authn::authorization::has_prompt;
use crate::authn::login_tx::{AuthRequest, save_tx};
use crate::authn::{self, session};
use crate::store::sessions::SessionRow;
use crate::web::meta::ClientMeta;
use crate::web::pages::internal_error;
use axum::response::{IntoResponse, Redirect, Response};

/// The session is weaker than the portal demands: ask for the account's second factor within this
/// transaction, or refuse when the person has none.
pub async fn step_up(
    app: &OidcState,
    meta: &ClientMeta,
    req: AuthRequest,
    tx: Option<String>,
    session: &SessionRow,
) -> Response {
    let lang = req.lang;
    if req.required_acr == authn::ACR_HIGH {
        return step_up_to_signature(app, req, tx, session).await;
    }
    let methods = match authn::second_factor::methods(app, &session.account_id).await {
        Ok(m) => m,
        Err(e) => return internal_error(lang, &e),
    };
    if !methods.any() || has_prompt(&req, "none") {
        let (error, why) = if methods.any() {
            ("interaction_required", "a second factor must be entered")
        } else {
            (
                "unmet_authentication_requirements",
                "the portal requires a second factor and this account has none",
            )
        };
        return error_redirect(app, &req.redirect_uri, req.state.as_deref(), error, why);
    }
    let tx = match tx {
        Some(t) => t,
        None => match save_tx(app, &req).await {
            Ok(t) => t,
            Err(e) => return internal_error(lang, &e),
        },
    };
    let pending = authn::second_factor::PendingStep {
        account_id: session.account_id.clone(),
        tx: Some(tx),
        persistent: session.persistent != 0,
        step_up: true,
        base_amr: session::amr_of(session),
    };
    crate::web::second_factor::ask(app, lang, pending, &meta.ip).await
}

/// `high` is reached only by signing in with a bound qualified certificate: the signature page
/// within this transaction, or a refusal when the person has none bound (or prompt=none).
async fn step_up_to_signature(
    app: &OidcState,
    req: AuthRequest,
    tx: Option<String>,
    session: &SessionRow,
) -> Response {
    let lang = req.lang;
    let bound = match app.store.qes_certificates(&session.account_id).await {
        Ok(list) => !list.is_empty(),
        Err(e) => return internal_error(lang, &e),
    };
    if !bound || has_prompt(&req, "none") {
        let (error, why) = if bound {
            (
                "interaction_required",
                "a qualified electronic signature must be given",
            )
        } else {
            (
                "unmet_authentication_requirements",
                "the portal requires a qualified electronic signature and this account has no certificate bound",
            )
        };
        return error_redirect(app, &req.redirect_uri, req.state.as_deref(), error, why);
    }
    let tx = match tx {
        Some(t) => t,
        None => match save_tx(app, &req).await {
            Ok(t) => t,
            Err(e) => return internal_error(lang, &e),
        },
    };
    Redirect::to(&format!("/login/signature?tx={tx}")).into_response()
}
