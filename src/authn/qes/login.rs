//! Signature login: a random single-use challenge (5 minutes, in the cache so any node can check
//! it), then the signature over it is verified and its SNILS leads to the account — which must
//! have enabled signature login by binding this very certificate in its settings.

use super::{QesError, Verified};
use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use crate::identity::levels::{self, ConfirmMethod};
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

/// The whole login check; on success the account and the certificate it signed with. A standard
/// account that signs in with its bound qualified certificate becomes confirmed (method `qes`).
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
    if account.level == levels::STANDARD {
        let evidence = format!("qes certificate {}", verified.fingerprint);
        levels::confirm(app, &account.id, ConfirmMethod::Qes, &evidence, &account.id).await?;
    }
    Ok((account, verified))
}

/// A signature session lasts `qes.session_ttl` at most (REQUIREMENTS §3: «a limited time»): cuts
/// the stored expiry of the session with this cookie value to it. Returns that lifetime, for the
/// cookie's Max-Age.
pub async fn limit_session(app: &Ctx, cookie_value: &str) -> Result<i64, StoreError> {
    let ttl = app.config.qes.session_ttl.min(app.config.session.ttl);
    if let Some(row) = crate::authn::session::current(app, Some(cookie_value)).await? {
        app.store
            .cap_session_expiry(&row.id_hash, row.auth_time + ttl)
            .await?;
    }
    Ok(ttl)
}
