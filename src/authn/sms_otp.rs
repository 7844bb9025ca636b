//! One-time SMS codes: 6 digits, stored hashed in the shared cache, valid `sms_code_ttl` seconds,
//! at most 5 attempts, resend only after `sms_resend_after` seconds, and per-number and per-IP
//! send limits per clock hour against SMS pumping. Expiry is checked against the injectable clock.

use crate::app::AppState;
use crate::cache::CacheError;
use crate::crypto;
use crate::identity::{Contact, Phone};
use crate::store::StoreError;
use serde::{Deserialize, Serialize};

pub const MAX_ATTEMPTS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum OtpError {
    #[error("a new code may be sent in {0} s")]
    TooEarly(i64),
    #[error("too many codes sent to this number or from this address")]
    SendLimit,
    #[error("no valid code (expired or never sent)")]
    Expired,
    #[error("wrong code")]
    Wrong,
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

#[derive(Debug, Serialize, Deserialize)]
struct Issued {
    hash: String,
    nonce: String,
    expires_at: i64,
    resend_after: i64,
}

/// `purpose` separates uses (login step, enabling two-step login); `subject` is whose code it is.
fn key(purpose: &str, subject: &str) -> String {
    format!(
        "sms-otp:{purpose}:{}",
        crypto::hash_secret("sms-subject", subject)
    )
}

/// Takes one of `limit` send slots of this hour for `what`; false when all are taken.
async fn take_slot(app: &AppState, what: &str, limit: u32) -> Result<bool, CacheError> {
    let hour = app.clock.now() / 3600;
    let base = format!(
        "sms-limit:{}:{hour}",
        crypto::hash_secret("sms-limit", what)
    );
    for n in 1..=limit {
        if app
            .cache
            .put_if_absent(&format!("{base}:{n}"), "1", 3700)
            .await?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Sends a fresh code to `phone` (replacing an earlier one) unless a limit forbids it.
pub async fn send(
    app: &AppState,
    purpose: &str,
    subject: &str,
    phone: &Phone,
    ip: &str,
) -> Result<(), OtpError> {
    let c = &app.config.login;
    let now = app.clock.now();
    let k = key(purpose, subject);
    if let Some(prev) = app.cache.get_json::<Issued>(&k).await?
        && prev.resend_after > now
    {
        return Err(OtpError::TooEarly(prev.resend_after - now));
    }
    if !take_slot(app, &format!("ip:{ip}"), c.sms_per_ip_hour).await?
        || !take_slot(
            app,
            &format!("phone:{}", phone.as_str()),
            c.sms_per_number_hour,
        )
        .await?
    {
        tracing::warn!(ip, to = %phone.masked(), "SMS send limit reached");
        return Err(OtpError::SendLimit);
    }
    let code = crypto::random_digits(6);
    let nonce = crypto::random_token();
    let issued = Issued {
        hash: crypto::hash_secret("sms-otp", &format!("{nonce}:{code}")),
        nonce,
        expires_at: now + c.sms_code_ttl,
        resend_after: now + c.sms_resend_after,
    };
    app.cache.put_json(&k, &issued, c.sms_code_ttl + 5).await?;
    let minutes = (c.sms_code_ttl / 60).max(1);
    let body =
        format!("Код для входа в vhod: {code}. Никому его не сообщайте. Действует {minutes} мин.");
    app.notifier
        .send(&Contact::Phone(phone.clone()), "Код подтверждения", &body)
        .await?;
    Ok(())
}

/// Checks a code; a right one is spent, the fifth wrong one ends the code.
pub async fn verify(
    app: &AppState,
    purpose: &str,
    subject: &str,
    code: &str,
) -> Result<(), OtpError> {
    let k = key(purpose, subject);
    let issued: Issued = app.cache.get_json(&k).await?.ok_or(OtpError::Expired)?;
    if issued.expires_at <= app.clock.now() {
        app.cache.delete(&k).await?;
        return Err(OtpError::Expired);
    }
    // Attempt slots are claimed atomically, so parallel guesses on several nodes still count.
    let mut claimed = None;
    for n in 1..=MAX_ATTEMPTS {
        if app
            .cache
            .put_if_absent(&format!("{k}:{}:{n}", issued.nonce), "1", 3600)
            .await?
        {
            claimed = Some(n);
            break;
        }
    }
    let Some(n) = claimed else {
        app.cache.delete(&k).await?;
        return Err(OtpError::TooManyAttempts);
    };
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let given = crypto::hash_secret("sms-otp", &format!("{}:{code}", issued.nonce));
    if crypto::ct_eq(&given, &issued.hash) {
        // Spent: a second use finds nothing.
        return match app.cache.take(&k).await? {
            Some(_) => Ok(()),
            None => Err(OtpError::Expired),
        };
    }
    if n == MAX_ATTEMPTS {
        app.cache.delete(&k).await?;
        return Err(OtpError::TooManyAttempts);
    }
    Err(OtpError::Wrong)
}

/// The account's confirmed phone, if it has one.
pub async fn confirmed_phone(
    app: &AppState,
    account_id: &str,
) -> Result<Option<Phone>, StoreError> {
    Ok(app
        .store
        .identifiers(account_id)
        .await?
        .into_iter()
        .filter(|i| i.kind == "phone" && i.verified_at.is_some())
        .find_map(|i| i.value.parse::<Phone>().ok()))
}
