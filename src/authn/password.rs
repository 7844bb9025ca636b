//! Password login by phone or e-mail. Every failure is the same `Invalid`, and an unknown login costs
//! one argon2 verification like a known one.

use crate::app::AppState;
use crate::identity::Contact;
use crate::identity::validation::Snils;
use crate::store::StoreError;
use crate::store::accounts::AccountRow;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("wrong login or password")]
    Invalid,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn login(app: &AppState, login: &str, password: &str) -> Result<AccountRow, LoginError> {
    let mut found = match Contact::parse(login) {
        Ok(contact) => {
            app.store
                .find_login(contact.kind(), contact.value())
                .await?
        }
        Err(_) => None,
    };
    // SNILS logs in only once verified (the identifier exists only then). Eleven digits may read as a
    // phone number too, so SNILS is tried when the phone/e-mail reading found nobody.
    if found.is_none()
        && let Ok(snils) = login.parse::<Snils>()
    {
        found = app.store.find_login("snils", snils.as_str()).await?;
    }
    let (account, hash) = match found {
        Some((account, hash)) => (Some(account), hash),
        None => (None, None),
    };
    if app.passwords.verify(password, hash.as_deref()).await {
        account.ok_or(LoginError::Invalid)
    } else {
        Err(LoginError::Invalid)
    }
}
