//! Confirmation by a code letter (REQUIREMENTS §1): a standard-level person orders a letter; its code
//! is stored only as a hash and the letter itself goes to the print queue (one JSON file per letter in
//! `identity.letter_dir`, with the registration address); the code is valid `letter_valid_days`; a new
//! letter only `letter_reorder_days` after the previous one; entering the code confirms the account
//! with the method `code_letter`, which tokens carry because some portals refuse it.

use crate::crypto;
use crate::ctx::Ctx;
use crate::identity::levels::{self, ConfirmMethod};
use crate::store::StoreError;
use crate::types::AccountId;

const MAX_ATTEMPTS: i64 = 5;
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    #[error("only a standard-level account may order a code letter")]
    NotStandard,
    #[error("a new letter may be ordered only 30 days after the previous one")]
    TooSoon,
    #[error("the registration address is missing or too long")]
    NoAddress,
    #[error("no code letter was ordered")]
    NoLetter,
    #[error("the code has expired")]
    Expired,
    #[error("wrong code")]
    WrongCode,
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error("print queue: {0}")]
    Spool(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn new_code() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Letter codes are compared in upper case without spaces or dashes, as people type them.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

pub async fn order(app: &Ctx, account_id: &AccountId, address: &str) -> Result<(), LetterError> {
    let Some(account) = app.store.account(account_id).await? else {
        return Err(LetterError::NotStandard);
    };
    if account.level != levels::STANDARD {
        return Err(LetterError::NotStandard);
    }
    if address.is_empty() || address.chars().count() > 300 {
        return Err(LetterError::NoAddress);
    }
    let cfg = &app.config.identity;
    let now = app.store.now();
    if let Some(last) = app.store.letters_of(account_id).await?.first()
        && now < last.created_at + cfg.letter_reorder_days * 86_400
    {
        return Err(LetterError::TooSoon);
    }
    let code = new_code();
    let recipient = [
        Some(account.surname.as_str()),
        Some(account.given_name.as_str()),
        account.patronymic.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let letter = app
        .store
        .create_letter(
            account_id,
            &crypto::hash_secret("letter", &code),
            address,
            &recipient,
            cfg.letter_valid_days * 86_400,
        )
        .await?;
    let dir = std::path::Path::new(&cfg.letter_dir);
    let record = serde_json::json!({
        "letter_id": letter.id,
        "recipient": recipient,
        "address": address,
        "code": code,
        "valid_until": letter.expires_at,
    });
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(dir.join(format!("{}.json", letter.id)), record.to_string()))
        .map_err(|e| LetterError::Spool(e.to_string()))?;
    levels::notify(app, account_id, |t| t.s("notify.letter_ordered")).await?;
    Ok(())
}

pub async fn enter_code(app: &Ctx, account_id: &AccountId, code: &str) -> Result<(), LetterError> {
    let Some(letter) = app.store.letters_of(account_id).await?.into_iter().next() else {
        return Err(LetterError::NoLetter);
    };
    if letter.used_at.is_some() {
        return Err(LetterError::NoLetter);
    }
    if app.store.now() >= letter.expires_at {
        return Err(LetterError::Expired);
    }
    if letter.attempts >= MAX_ATTEMPTS {
        return Err(LetterError::TooManyAttempts);
    }
    let given = crypto::hash_secret("letter", &normalise(code));
    if !crypto::ct_eq(&given, &letter.code_hash) {
        let n = app.store.letter_attempt(&letter.id).await?;
        return Err(if n >= MAX_ATTEMPTS {
            LetterError::TooManyAttempts
        } else {
            LetterError::WrongCode
        });
    }
    if !app.store.use_letter(&letter.id).await? {
        return Err(LetterError::NoLetter);
    }
    let evidence = serde_json::json!({ "letter_id": letter.id }).to_string();
    if !levels::confirm(
        app,
        account_id,
        ConfirmMethod::CodeLetter,
        &evidence,
        account_id,
    )
    .await?
    {
        return Err(LetterError::NotStandard);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_ten_unambiguous_characters_and_typing_is_forgiving() {
        let c = super::new_code();
        assert_eq!(c.len(), 10);
        assert!(c.bytes().all(|b| super::ALPHABET.contains(&b)));
        assert_eq!(super::normalise("ab3d-ef 7h"), "AB3DEF7H");
    }
}
