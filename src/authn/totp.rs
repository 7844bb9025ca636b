//! Authenticator apps (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, ±1 step of clock drift) and
//! the recovery codes that replace a lost second factor. The secret is sealed under the KEK at rest;
//! each accepted step is remembered so a code is never accepted twice.

use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::types::AccountId;
use rand::RngCore;
use totp_rs::{Algorithm, Builder, Totp};

pub const STEP_SECS: u64 = 30;
pub const RECOVERY_CODES: usize = 10;
const ENROL_TTL: i64 = 600;
const ISSUER: &str = "vhod";

#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error("no authenticator enrolment in progress")]
    NoEnrolment,
    #[error("wrong code")]
    Wrong,
    #[error("code already used")]
    Reused,
    #[error("stored secret cannot be opened")]
    Sealed,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// What the enrolment page shows: the QR code (SVG) and the same secret for typing in.
pub struct Enrolment {
    pub secret_base32: String,
    pub qr_svg: String,
}

fn generator(secret: Vec<u8>, account_label: &str) -> Totp {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECS)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account_label.replace(':', " "))
        .build_noncompliant()
}

fn enrol_key(account_id: &AccountId) -> String {
    format!("totp-enrol:{account_id}")
}

/// Starts an enrolment: a fresh 160-bit secret kept (sealed) in the cache until confirmed.
pub async fn start_enrolment(
    app: &Ctx,
    account_id: &AccountId,
    account_label: &str,
) -> Result<Enrolment, TotpError> {
    let mut secret = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    app.cache
        .put(
            &enrol_key(account_id),
            &app.keyring.seal_secret(&secret),
            ENROL_TTL,
        )
        .await?;
    view(secret, account_label)
}

/// The QR code and typed form of a secret.
fn view(secret: Vec<u8>, account_label: &str) -> Result<Enrolment, TotpError> {
    let secret_base32 = totp_rs::Secret::from(secret.clone()).to_base32();
    let totp = generator(secret, account_label);
    let url = totp.to_url().map_err(|_| TotpError::Sealed)?;
    let qr = qrcode::QrCode::new(url.as_bytes()).map_err(|_| TotpError::Sealed)?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    Ok(Enrolment {
        secret_base32,
        qr_svg,
    })
}

/// The enrolment in progress shown again (after a wrong confirming code).
pub async fn pending_view(
    app: &Ctx,
    account_id: &AccountId,
    account_label: &str,
) -> Result<Option<Enrolment>, TotpError> {
    match pending_enrolment(app, account_id).await? {
        Some(secret) => view(secret, account_label).map(Some),
        None => Ok(None),
    }
}

/// The enrolment in progress, if any (for showing the page again after a wrong code).
pub async fn pending_enrolment(
    app: &Ctx,
    account_id: &AccountId,
) -> Result<Option<Vec<u8>>, TotpError> {
    Ok(app
        .cache
        .get(&enrol_key(account_id))
        .await?
        .and_then(|s| app.keyring.open_secret(&s)))
}

/// The step whose code matches within ±1 step of now, if any.
fn matching_step(secret: Vec<u8>, code: &str, now: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = generator(secret, "");
    totp.check(&code, now.max(0) as u64).map(|s| s as i64)
}

/// Confirms the enrolment with a code from the app; returns the recovery codes to show once.
pub async fn confirm_enrolment(
    app: &Ctx,
    account_id: &AccountId,
    code: &str,
) -> Result<Vec<String>, TotpError> {
    let secret = pending_enrolment(app, account_id)
        .await?
        .ok_or(TotpError::NoEnrolment)?;
    let step = matching_step(secret.clone(), code, app.clock.now()).ok_or(TotpError::Wrong)?;
    app.cache.delete(&enrol_key(account_id)).await?;
    app.store
        .set_totp(account_id, &app.keyring.seal_secret(&secret), step)
        .await?;
    let codes = issue_recovery_codes(app, account_id).await?;
    super::security_events::record(app, account_id, super::security_events::Kind::TotpAdded, "")
        .await?;
    tracing::info!(account = %account_id, "authenticator app enrolled");
    Ok(codes)
}

/// Replaces the recovery codes with ten fresh ones (the old ones stop working) and records it;
/// returns them (stored only hashed).
pub async fn new_recovery_codes(
    app: &Ctx,
    account_id: &AccountId,
) -> Result<Vec<String>, TotpError> {
    let codes = issue_recovery_codes(app, account_id).await?;
    super::security_events::record(
        app,
        account_id,
        super::security_events::Kind::RecoveryCodesRenewed,
        "",
    )
    .await?;
    Ok(codes)
}

async fn issue_recovery_codes(app: &Ctx, account_id: &AccountId) -> Result<Vec<String>, TotpError> {
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| format!("{}-{}", crypto::random_digits(5), crypto::random_digits(5)))
        .collect();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    app.store
        .replace_recovery_codes(account_id, &hashes)
        .await?;
    Ok(codes)
}

fn recovery_hash(code: &str) -> String {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    crypto::hash_secret("recovery-code", &digits)
}

pub async fn has_totp(app: &Ctx, account_id: &AccountId) -> Result<bool, StoreError> {
    Ok(app.store.totp_secret(account_id).await?.is_some())
}

/// Checks a code from the app at login; a matching code of an already used step is `Reused`.
pub async fn verify(app: &Ctx, account_id: &AccountId, code: &str) -> Result<(), TotpError> {
    let sealed = app
        .store
        .totp_secret(account_id)
        .await?
        .ok_or(TotpError::Wrong)?;
    let secret = app.keyring.open_secret(&sealed).ok_or(TotpError::Sealed)?;
    let step = matching_step(secret, code, app.clock.now()).ok_or(TotpError::Wrong)?;
    if app.store.spend_totp_step(account_id, step).await? {
        Ok(())
    } else {
        Err(TotpError::Reused)
    }
}

/// Spends a recovery code; `Reused` when it was valid once but is used up, else `Wrong`.
pub async fn use_recovery_code(
    app: &Ctx,
    account_id: &AccountId,
    code: &str,
) -> Result<(), TotpError> {
    if app
        .store
        .spend_recovery_code(account_id, &recovery_hash(code))
        .await?
    {
        super::security_events::record(
            app,
            account_id,
            super::security_events::Kind::RecoveryCodeUsed,
            "",
        )
        .await?;
        Ok(())
    } else {
        Err(TotpError::Wrong)
    }
}

/// The current code for a secret (what an authenticator app shows); used by tests as the app.
pub fn code_at(secret_base32: &str, unix_time: i64) -> Option<String> {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).ok()?;
    Some(
        generator(secret.as_ref().to_vec(), "")
            .generate(unix_time.max(0) as u64)
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vector_at_59_seconds() {
        // RFC 6238 Appendix B: secret "12345678901234567890", T = 59 → 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        let secret = b"12345678901234567890".to_vec();
        assert_eq!(
            generator(secret.clone(), "").generate(59).to_string(),
            "287082"
        );
        assert_eq!(matching_step(secret.clone(), "287082", 59), Some(1));
        // One step of drift either way is accepted, two are not.
        assert_eq!(matching_step(secret.clone(), "287082", 89), Some(1));
        assert_eq!(matching_step(secret, "287082", 120), None);
    }
}
