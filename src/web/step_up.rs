//! Step-up within a login transaction, shared by every protocol that defers to authn/ (OpenID,
//! ESIA, device and CIBA approvals): a session weaker than the request demands is asked for the
//! account's second factor (substantial) or its qualified signature (high) within the transaction.
//! Whether the person can reach the level at all is asked first ([`reachable`]): each protocol
//! refuses in its own way when not.

use super::meta::ClientMeta;
use super::page_error::PageError;
use crate::authn::login_tx::{AuthRequest, save_tx};
use crate::authn::{self, session};
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::sessions::SessionRow;
use axum::response::{IntoResponse, Redirect, Response};

/// Can the account reach the request's level: a bound qualified certificate for `high`, any
/// second factor otherwise.
pub async fn reachable(
    ctx: &Ctx,
    req: &AuthRequest,
    session: &SessionRow,
) -> Result<bool, StoreError> {
    if req.required_acr == authn::ACR_HIGH {
        Ok(!ctx
            .store
            .qes_certificates(&session.account_id)
            .await?
            .is_empty())
    } else {
        Ok(authn::second_factor::methods(ctx, &session.account_id)
            .await?
            .any())
    }
}

/// Asks for the step within the transaction `tx` (saved now when the request has none yet): the
/// signature page for `high`, the second-factor step otherwise.
pub async fn ask(
    ctx: &Ctx,
    meta: &ClientMeta,
    req: &AuthRequest,
    tx: Option<String>,
    session: &SessionRow,
) -> Result<Response, PageError> {
    let lang = req.lang;
    let tx = match tx {
        Some(t) => t,
        None => save_tx(ctx, req)
            .await
            .map_err(|e| PageError::internal(&e).in_lang(lang))?,
    };
    if req.required_acr == authn::ACR_HIGH {
        return Ok(Redirect::to(&format!("/login/signature?tx={tx}")).into_response());
    }
    let pending = authn::second_factor::PendingStep {
        account_id: session.account_id.clone(),
        tx: Some(tx),
        persistent: session.persistent != 0,
        step_up: true,
        base_amr: session::amr_of(session),
    };
    Ok(super::second_factor::ask(ctx, lang, pending, &meta.ip).await)
}
