//! Password login by phone, e-mail or verified SNILS. Every wrong login or password is the same
//! `Invalid`, and an unknown login costs one argon2 verification like a known one. Guarded by the
//! proof-of-work challenge and the lockout of [`super::lockout`].

use super::challenge::{self, ChallengeError};
use super::lockout::{self, Attempt};
use crate::ctx::Ctx;
use crate::identity::Contact;
use crate::identity::validation::Snils;
use crate::store::StoreError;
use crate::store::accounts::PasswordLogin;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong login or password; `challenge_next` when the next attempt needs a proof of work.
    #[error("wrong login or password")]
    Invalid { challenge_next: bool },
    #[error("a proof-of-work challenge is required: {0}")]
    Challenge(ChallengeError),
    #[error("password login of this account is locked")]
    Locked,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] crate::cache::CacheError),
}

/// What the form carried besides login and password.
#[derive(Debug, Clone, Copy, Default)]
pub struct Proof<'a> {
    pub challenge: Option<&'a str>,
    pub solution: Option<&'a str>,
}

pub async fn login(
    app: &Ctx,
    login: &str,
    password: &str,
    proof: Proof<'_>,
    who: Attempt<'_>,
) -> Result<PasswordLogin, LoginError> {
    let mut found = match Contact::parse(login) {
        Ok(contact) => {
            app.store
                .find_password_login(contact.kind(), contact.value())
                .await?
        }
        Err(_) => None,
    };
    // SNILS logs in only once verified (the identifier exists only then). Eleven digits may read as a
    // phone number too, so SNILS is tried when the phone/e-mail reading found nobody.
    if found.is_none()
        && let Ok(snils) = login.parse::<Snils>()
    {
        found = app
            .store
            .find_password_login("snils", snils.as_str())
            .await?;
    }
    let hash = found.as_ref().and_then(|f| f.password_hash.clone());
    let found_id = found.as_ref().map(|f| f.account.id.to_string());
    let account_id = found_id.as_deref();
    // Counted by what was typed, whether or not an account has it: the answer never tells.
    let key = lockout::login_key(login);
    let guard = lockout::before_password(app, &key, who.ip, account_id).await?;
    if guard.challenge_required
        && let Err(e) = challenge::verify(app, proof.challenge, proof.solution).await?
    {
        lockout::record(
            app,
            account_id,
            who,
            lockout::METHOD_PASSWORD,
            "no_challenge",
        )
        .await?;
        return Err(LoginError::Challenge(e));
    }
    let locked = guard.locked;
    // Verify even when locked, so a locked account answers as slowly as any other.
    let ok = app.passwords.verify(password, hash.as_deref()).await;
    if locked {
        lockout::record(app, account_id, who, lockout::METHOD_PASSWORD, "locked").await?;
        return Err(LoginError::Locked);
    }
    match found {
        Some(found) if ok => {
            lockout::password_succeeded(app, &found.account.id, &key, who, guard).await?;
            Ok(found)
        }
        _ => {
            lockout::password_failed(app, account_id, &key, who).await?;
            let challenge_next = lockout::challenge_required(app, &key, who.ip).await?;
            Err(LoginError::Invalid { challenge_next })
        }
    }
}
