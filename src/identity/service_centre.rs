//! Confirmation in person at a service centre (REQUIREMENTS §1, 001:377): an operator finds the
//! person by SNILS and passport, checks the document in their hands and confirms. Only a verified
//! SNILS and the verified passport count: pending data cannot be confirmed.

use crate::ctx::Ctx;
use crate::identity::levels::{self, ConfirmMethod};
use crate::identity::validation::Snils;
use crate::store::StoreError;
use crate::types::AccountId;

#[derive(Debug, thiserror::Error)]
pub enum InPersonError {
    #[error("no account has this SNILS verified")]
    NotFound,
    #[error("the passport does not match the verified one")]
    DocumentMismatch,
    #[error("the account is not at the standard level (it is {0})")]
    WrongLevel(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Confirms the person; returns their account id. `actor` is the operator as the audit log names
/// them (`admin:<account id>`).
pub async fn confirm(
    app: &Ctx,
    snils: &Snils,
    series: &str,
    number: &str,
    actor: &str,
) -> Result<String, InPersonError> {
    let account_id = app
        .store
        .snils_holder(snils.as_str())
        .await?
        .ok_or(InPersonError::NotFound)?;
    let docs = app.store.verified_documents(&account_id).await?;
    let matches = docs.iter().any(|d| {
        d.kind == "passport_rf"
            && crate::crypto::ct_eq(&d.field("series"), series.trim())
            && crate::crypto::ct_eq(&d.field("number"), number.trim())
    });
    if !matches {
        return Err(InPersonError::DocumentMismatch);
    }
    let evidence =
        serde_json::json!({ "document": "passport_rf", "checked_by": actor }).to_string();
    if !levels::confirm(
        app,
        &AccountId::from(account_id.as_str()),
        ConfirmMethod::ServiceCentre,
        &evidence,
        actor,
    )
    .await?
    {
        let level = app
            .store
            .account(&account_id)
            .await?
            .map(|a| a.level)
            .unwrap_or_default();
        return Err(InPersonError::WrongLevel(level));
    }
    Ok(account_id)
}
