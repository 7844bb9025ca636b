//! Code letters (standard → confirmed): ordering one to a postal address and entering its code;
//! a refusal shows on the documents page.

use super::documents::documents_page;
use crate::ctx::Ctx;
use crate::identity::letters::{self, LetterError};
use crate::web::extract::SignedInForm;
use crate::web::page_error::PageError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

pub async fn order_letter(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let address = f.form.get("address").unwrap_or("").trim();
    let result = letters::order(&app, &f.session.account_id, address).await;
    letter_answer(&app, &f, result, "letter").await
}

pub async fn enter_letter_code(
    State(app): State<Ctx>,
    f: SignedInForm,
) -> Result<Response, PageError> {
    let code = f.form.get("code").unwrap_or("");
    let result = letters::enter_code(&app, &f.session.account_id, code).await;
    letter_answer(&app, &f, result, "confirmed").await
}

async fn letter_answer(
    app: &Ctx,
    f: &SignedInForm,
    result: Result<(), LetterError>,
    done: &str,
) -> Result<Response, PageError> {
    let (status, key) = match result {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/account/documents?done={done}")).into_response());
        }
        Err(LetterError::Store(e)) => return Err(e.into()),
        Err(LetterError::Spool(e)) => return Err(PageError::internal(&e)),
        Err(LetterError::NotStandard) => (StatusCode::CONFLICT, "letter.not_standard"),
        Err(LetterError::TooSoon) => (StatusCode::CONFLICT, "letter.too_soon"),
        Err(LetterError::NoAddress) => (StatusCode::BAD_REQUEST, "letter.no_address"),
        Err(LetterError::NoLetter) => (StatusCode::BAD_REQUEST, "letter.none"),
        Err(LetterError::Expired) => (StatusCode::BAD_REQUEST, "letter.expired"),
        Err(LetterError::WrongCode) => (StatusCode::BAD_REQUEST, "letter.wrong_code"),
        Err(LetterError::TooManyAttempts) => (StatusCode::BAD_REQUEST, "letter.too_many"),
    };
    documents_page(
        app,
        &f.headers,
        f.lang,
        &f.session.account_id,
        status,
        "",
        key,
    )
    .await
}
