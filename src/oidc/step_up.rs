//! Step-up within a login transaction (ARCHITECTURE §3): a session weaker than the portal demands
//! is asked for the account's second factor (substantial) or a qualified signature (high), or the
//! portal is refused when the person cannot reach it.

use super::OidcState;
use super::authorize::error_redirect;
use crate::authn;
use crate::authn::authorization::has_prompt;
use crate::authn::login_tx::AuthRequest;
use crate::store::sessions::SessionRow;
use crate::web::meta::ClientMeta;
use crate::web::page_error::PageError;
use axum::response::Response;

/// The session is weaker than the portal demands: ask for the account's second factor within this
/// transaction, or refuse when the person has none.
pub async fn step_up(
    app: &OidcState,
    meta: &ClientMeta,
    req: AuthRequest,
    tx: Option<String>,
    session: &SessionRow,
) -> Result<Response, PageError> {
    let lang = req.lang;
    let internal = |e: &dyn std::fmt::Display| PageError::internal(&e).in_lang(lang);
    if req.required_acr == authn::ACR_HIGH {
        return step_up_to_signature(app, meta, req, tx, session).await;
    }
    let methods = authn::second_factor::methods(app, &session.account_id)
        .await
        .map_err(|e| internal(&e))?;
    if !methods.any() || has_prompt(&req, "none") {
        let (error, why) = if methods.any() {
            ("interaction_required", "a second factor must be entered")
        } else {
            (
                "unmet_authentication_requirements",
                "the portal requires a second factor and this account has none",
            )
        };
        return Ok(error_redirect(
            app,
            &req.redirect_uri,
            req.state.as_deref(),
            error,
            why,
        ));
    }
    crate::web::step_up::ask(app, meta, &req, tx, session).await
}

/// `high` is reached only by signing in with a bound qualified certificate: the signature page
/// within this transaction, or a refusal when the person has none bound (or prompt=none).
async fn step_up_to_signature(
    app: &OidcState,
    meta: &ClientMeta,
    req: AuthRequest,
    tx: Option<String>,
    session: &SessionRow,
) -> Result<Response, PageError> {
    let lang = req.lang;
    let internal = |e: &dyn std::fmt::Display| PageError::internal(&e).in_lang(lang);
    let bound = !app
        .store
        .qes_certificates(&session.account_id)
        .await
        .map_err(|e| internal(&e))?
        .is_empty();
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
        return Ok(error_redirect(
            app,
            &req.redirect_uri,
            req.state.as_deref(),
            error,
            why,
        ));
    }
    crate::web::step_up::ask(app, meta, &req, tx, session).await
}
