//! Confirmation through a partner bank (REQUIREMENTS §1, 004:223-240): the bank has identified the
//! person already; its verified surname, name, birth date and SNILS must equal the person's verified
//! standard data, then the account becomes confirmed with the method `bank`.

use crate::ctx::Ctx;
use crate::identity::levels::{self, ConfirmMethod};
use crate::identity::validation::Snils;
use crate::store::StoreError;
use crate::types::AccountId;

/// What the bank vouches for (from its verified ID token and userinfo).
#[derive(Debug, Clone)]
pub struct BankIdentity {
    pub issuer: String,
    pub subject: String,
    pub family_name: String,
    pub given_name: String,
    pub birthdate: String,
    pub snils: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BankError {
    #[error("the account has no verified standard data")]
    NotStandard,
    #[error("the bank's data differs in: {0}")]
    Mismatch(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Names compare without case and with «ё» as «е», as banks and registries spell them differently.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().to_lowercase().replace('ё', "е");
    norm(a) == norm(b)
}

/// Confirms the account when the bank's data equals its verified standard data; a refusal is also
/// told to the person in the notification feed (a failure to write it is not one of the step).
pub async fn confirm(
    app: &Ctx,
    account_id: &AccountId,
    bank: &BankIdentity,
) -> Result<(), BankError> {
    let result = match_and_confirm(app, account_id, bank).await;
    if let Err(BankError::NotStandard | BankError::Mismatch(_)) = &result {
        let _ = levels::notify(app, account_id, |t| t.s("notify.bank_mismatch")).await;
    }
    result
}

async fn match_and_confirm(
    app: &Ctx,
    account_id: &AccountId,
    bank: &BankIdentity,
) -> Result<(), BankError> {
    let docs = app.store.verified_documents(account_id).await?;
    let id_doc = docs
        .iter()
        .find(|d| d.kind == "passport_rf" || d.kind == "foreign_id")
        .ok_or(BankError::NotStandard)?;
    let snils = docs
        .iter()
        .find(|d| d.kind == "snils")
        .map(|d| d.field("number"))
        .ok_or(BankError::NotStandard)?;
    let mut differs = vec![];
    if !same_name(&bank.family_name, &id_doc.field("surname")) {
        differs.push("surname");
    }
    if !same_name(&bank.given_name, &id_doc.field("given_name")) {
        differs.push("name");
    }
    if bank.birthdate.trim() != id_doc.field("birth_date") {
        differs.push("birth date");
    }
    if bank
        .snils
        .parse::<Snils>()
        .ok()
        .map(|s| s.as_str().to_string())
        != Some(snils)
    {
        differs.push("SNILS");
    }
    if !differs.is_empty() {
        return Err(BankError::Mismatch(differs.join(", ")));
    }
    let evidence =
        serde_json::json!({ "bank": bank.issuer, "bank_subject": bank.subject }).to_string();
    if !levels::confirm(app, account_id, ConfirmMethod::Bank, &evidence, account_id).await? {
        return Err(BankError::NotStandard);
    }
    Ok(())
}
