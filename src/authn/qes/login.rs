//! Signature login: a random single-use challenge (5 minutes, in the cache so any node can check
//! it), then the signature over it is verified and its SNILS leads to the account — which must
//! have enabled signature login by binding this very certificate in its settings.

use super::{QesError, Verified};
use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::accounts::AccountRow;

/// How long a challenge may be signed, seconds.
pub const CHALLENGE_TTL: i64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum QesLoginError {
    #[error("challenge unknown, expired or already used")]
    Challenge,
    #[error(transparent)]
    Signature(#[from] QesError),
    #[error("no account has this verified SNILS")]
    UnknownSnils,
    #[error("signature login is not enabled for the account")]
    NotEnabled,
    #[error("this certificate is not bound to the account")]
    NotBound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl QesLoginError {
    /// The i18n key shown to the person; `None` for internal failures.
    pub fn message_key(&self) -> Option<&'static str> {
        Some(match self {
            QesLoginError::Challenge => "qes.err.challenge",
            QesLoginError::Signature(e) => e.message_key(),
            QesLoginError::UnknownSnils => "qes.err.unknown_snils",
            QesLoginError::NotEnabled => "qes.err.not_enabled",
            QesLoginError::NotBound => "qes.err.not_bound",
            QesLoginError::Store(_) | QesLoginError::Cache(_) => return None,
        })
    }
}

fn key(purpose: &str, challenge: &str) -> String {
    format!(
        "qes:challenge:{purpose}:{}",
        crypto::hash_secret("qes", challenge)
    )
}

/// A new challenge for `purpose` ("login" or "bind"), tied to `owner` (an account id, or "").
pub async fn issue_challenge(app: &Ctx, purpose: &str, owner: &str) -> Result<String, CacheError> {
    let challenge = format!("vhod-{purpose}-{}", crypto::random_token());
    app.cache
        .put(&key(purpose, &challenge), owner, CHALLENGE_TTL)
        .await?;
    Ok(challenge)
}

/// Consumes a challenge (atomically: a second use finds nothing); true when it existed for `owner`.
pub async fn take_challenge(
    app: &Ctx,
    purpose: &str,
    challenge: &str,
    owner: &str,
) -> Result<bool, CacheError> {
    if challenge.is_empty() || challenge.len() > 200 {
        return Ok(false);
    }
    Ok(app
        .cache
        .take(&key(purpose, challenge))
        .await?
        .is_some_and(|o| crypto::ct_eq(&o, owner)))
}

/// Verifies a signature over `challenge` with the node's trust store and the app clock.
pub async fn verify(app: &Ctx, challenge: &str, signature: &[u8]) -> Result<Verified, QesError> {
    app.qes
        .verify(
            &app.config.qes,
            &app.outbound,
            signature,
            challenge.as_bytes(),
            app.clock.now(),
        )
        .await
}

/// The whole login check; on success the account and the certificate it signed with.
pub async fn login(
    app: &Ctx,
    challenge: &str,
    signature: &[u8],
) -> Result<(AccountRow, Verified), QesLoginError> {
    if !take_challenge(app, "login", challenge, "").await? {
        return Err(QesLoginError::Challenge);
    }
    let verified = verify(app, challenge, signature).await?;
    let Some((account, _)) = app
        .store
        .find_login("snils", verified.snils.as_str())
        .await?
    else {
        return Err(QesLoginError::UnknownSnils);
    };
    let bound = app.store.qes_certificates(&account.id).await?;
    if bound.is_empty() {
        return Err(QesLoginError::NotEnabled);
    }
    if !bound
        .iter()
        .any(|c| crypto::ct_eq(&c.fingerprint, &verified.fingerprint))
    {
        return Err(QesLoginError::NotBound);
    }
    Ok((account, verified))
}
