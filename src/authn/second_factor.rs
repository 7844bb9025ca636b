//! The second step of a login: after the password (or, for a step-up, with a session of lower
//! assurance) the person proves a second factor. The pending step lives in the shared cache under
//! the hash of a random id held in an HttpOnly cookie, so any node can finish it.

use super::lockout::{self, Attempt};
use super::sms_otp::{self, OtpError};
use super::{ACR_SUBSTANTIAL, alerts, totp};
use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::second_factors::SecondFactors;
use crate::types::AccountId;
use serde::{Deserialize, Serialize};

pub const COOKIE: &str = "vhod_2fa";
/// Wrong codes allowed in one pending step before the login must start again.
pub const MAX_ATTEMPTS: u32 = 5;
const TTL: i64 = 600;

/// A password login (or a low session) waiting for its second factor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingStep {
    pub account_id: AccountId,
    /// The authorization transaction to continue afterwards, if any.
    pub tx: Option<String>,
    pub persistent: bool,
    /// True when an existing session steps up (no password was typed in this step).
    pub step_up: bool,
    /// amr of what was already proven: ["pwd"] after a password, the session's amr for a step-up.
    #[serde(default)]
    pub base_amr: Vec<String>,
}

/// Which second factors the account has.
#[derive(Debug, Clone, Default)]
pub struct Methods {
    pub totp: bool,
    pub recovery: bool,
    /// SMS two-step login is on and the account has a confirmed phone.
    pub sms: bool,
}

impl Methods {
    pub fn any(&self) -> bool {
        self.totp || self.sms
    }
}

/// The result of a completed second step: the assurance of the new session.
pub struct Completed {
    pub pending: PendingStep,
    pub acr: &'static str,
    pub amr: Vec<String>,
    /// Login history method name.
    pub method: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error("no second step pending (expired or finished)")]
    NotPending,
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error(transparent)]
    Totp(totp::TotpError),
    #[error(transparent)]
    Sms(OtpError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl From<OtpError> for StepError {
    fn from(e: OtpError) -> Self {
        match e {
            OtpError::Store(s) => StepError::Store(s),
            OtpError::Cache(c) => StepError::Cache(c),
            other => StepError::Sms(other),
        }
    }
}

impl From<totp::TotpError> for StepError {
    fn from(e: totp::TotpError) -> Self {
        match e {
            totp::TotpError::Store(s) => StepError::Store(s),
            totp::TotpError::Cache(c) => StepError::Cache(c),
            other => StepError::Totp(other),
        }
    }
}

pub async fn methods(app: &Ctx, account_id: &AccountId) -> Result<Methods, StoreError> {
    let f = app.store.second_factors(account_id).await?;
    methods_of(app, account_id, f).await
}

/// [`methods`] from second factors already read (a password sign-in reads them with the account).
pub async fn methods_of(
    app: &Ctx,
    account_id: &AccountId,
    f: SecondFactors,
) -> Result<Methods, StoreError> {
    let sms = f.sms_two_step && sms_otp::confirmed_phone(app, account_id).await?.is_some();
    Ok(Methods {
        totp: f.totp,
        recovery: f.recovery_codes_left > 0,
        sms,
    })
}

fn key(id: &str) -> String {
    format!("2fa:{}", crypto::hash_secret("2fa", id))
}

/// Parks the login; returns the cookie value naming it.
pub async fn begin(app: &Ctx, pending: &PendingStep) -> Result<String, CacheError> {
    let id = crypto::random_token();
    app.cache.put_json(&key(&id), pending, TTL).await?;
    Ok(id)
}

pub async fn load(app: &Ctx, id: Option<&str>) -> Result<Option<PendingStep>, CacheError> {
    match id {
        Some(id) if !id.is_empty() && id.len() <= 64 => app.cache.get_json(&key(id)).await,
        _ => Ok(None),
    }
}

/// Claims attempt number n (1-based) atomically across nodes; Err once all are spent, and the
/// pending step is then dropped.
async fn claim_attempt(app: &Ctx, id: &str) -> Result<(), StepError> {
    for n in 1..=MAX_ATTEMPTS {
        if app
            .cache
            .put_if_absent(&format!("{}:attempt:{n}", key(id)), "1", TTL)
            .await?
        {
            return Ok(());
        }
    }
    app.cache.delete(&key(id)).await?;
    Err(StepError::TooManyAttempts)
}

/// Checks a code from an authenticator app (`method` "totp") or a recovery code ("recovery").
pub async fn complete_with_code(
    app: &Ctx,
    id: &str,
    method: &str,
    code: &str,
) -> Result<Completed, StepError> {
    let pending = load(app, Some(id)).await?.ok_or(StepError::NotPending)?;
    claim_attempt(app, id).await?;
    let account = pending.account_id.clone();
    let method = match method {
        "recovery" => {
            totp::use_recovery_code(app, &account, code).await?;
            "pwd+recovery"
        }
        _ => {
            totp::verify(app, &account, code).await?;
            "pwd+otp"
        }
    };
    finish(app, id, method, &["otp", "mfa"]).await
}

/// Sends (or resends) the login code by SMS to the account's confirmed phone.
pub async fn send_sms(app: &Ctx, id: &str, ip: &str) -> Result<(), StepError> {
    let pending = load(app, Some(id)).await?.ok_or(StepError::NotPending)?;
    let phone = sms_otp::confirmed_phone(app, &pending.account_id)
        .await?
        .ok_or(StepError::NotPending)?;
    sms_otp::send(app, "login", id, &phone, ip, Some(&pending.account_id)).await?;
    Ok(())
}

/// Checks the SMS code of the pending login.
pub async fn complete_with_sms(app: &Ctx, id: &str, code: &str) -> Result<Completed, StepError> {
    load(app, Some(id)).await?.ok_or(StepError::NotPending)?;
    claim_attempt(app, id).await?;
    sms_otp::verify(app, "login", id, code).await?;
    finish(app, id, "pwd+sms", &["sms", "mfa"]).await
}

/// Why a code was not accepted; the page asks again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The authenticator-app code was used already.
    Reused,
    /// A wrong recovery code.
    WrongRecoveryCode,
    /// A wrong app or SMS code.
    Wrong,
    /// The SMS code expired.
    SmsExpired,
}

/// What became of one attempt at the second step.
pub enum Attempted {
    /// Proven: the login history and the new-device alert are written; start the session.
    Done(Completed),
    /// The account is locked (before this attempt, or by this wrong guess): the login ends here.
    Locked,
    /// Nothing pending under this id (expired or finished).
    Expired,
    /// Too many wrong codes in this step: it is dropped, the login starts again.
    TooManyAttempts,
    /// Refused; the pending step stays, and is given back to show the page again.
    Refused(Refusal, PendingStep),
}

/// The login-history method of a second-step attempt.
fn history(method: &str) -> &'static str {
    match method {
        "recovery" => "recovery",
        "sms" => "sms",
        _ => "otp",
    }
}

/// One attempt at the second step of the login parked under `id`: `method` is "totp",
/// "recovery" or "sms". A locked account answers no code, right or wrong (the lock covers the
/// second step too); a code that was checked and did not match is a guess and counts toward the
/// lock. Err is a failure inside (store, cache, or a step error with no page of its own).
pub async fn attempt(
    app: &Ctx,
    id: &str,
    method: &str,
    code: &str,
    who: Attempt<'_>,
) -> Result<Attempted, StepError> {
    let Some(pending) = load(app, Some(id)).await? else {
        return Ok(Attempted::Expired);
    };
    if lockout::locked_until(app, &pending.account_id)
        .await?
        .is_some()
    {
        lockout::record(
            app,
            Some(&pending.account_id),
            who,
            history(method),
            "locked",
        )
        .await?;
        return Ok(Attempted::Locked);
    }
    let result = if method == "sms" {
        complete_with_sms(app, id, code).await
    } else {
        complete_with_code(app, id, method, code).await
    };
    let e = match result {
        Ok(done) => {
            alerts::login_succeeded(app, &done.pending.account_id, who, done.method).await?;
            return Ok(Attempted::Done(done));
        }
        Err(e) => e,
    };
    let guessed = matches!(
        e,
        StepError::Totp(totp::TotpError::Wrong | totp::TotpError::Reused)
            | StepError::Sms(OtpError::Wrong)
    );
    if guessed {
        lockout::factor_failed(app, &pending.account_id, who, history(method)).await?;
    }
    let refusal = match e {
        StepError::NotPending => return Ok(Attempted::Expired),
        StepError::TooManyAttempts | StepError::Sms(OtpError::TooManyAttempts) => {
            return Ok(Attempted::TooManyAttempts);
        }
        StepError::Totp(totp::TotpError::Reused) => Refusal::Reused,
        StepError::Totp(totp::TotpError::Wrong) if method == "recovery" => {
            Refusal::WrongRecoveryCode
        }
        StepError::Totp(totp::TotpError::Wrong) | StepError::Sms(OtpError::Wrong) => Refusal::Wrong,
        StepError::Sms(OtpError::Expired) => Refusal::SmsExpired,
        other => return Err(other),
    };
    // The guess that crossed the limit locked the account: that, not «wrong code».
    if lockout::locked_until(app, &pending.account_id)
        .await?
        .is_some()
    {
        return Ok(Attempted::Locked);
    }
    Ok(Attempted::Refused(refusal, pending))
}

/// Ends the pending step (single use) and says what the new session is worth.
pub async fn finish(
    app: &Ctx,
    id: &str,
    method: &'static str,
    factor_amr: &'static [&'static str],
) -> Result<Completed, StepError> {
    let pending: PendingStep = app
        .cache
        .take_json(&key(id))
        .await?
        .ok_or(StepError::NotPending)?;
    let amr = combined_amr(&pending.base_amr, factor_amr);
    Ok(Completed {
        pending,
        acr: ACR_SUBSTANTIAL,
        amr,
        method,
    })
}

/// What was proven before plus the second factor, each value once, "mfa" last; a pending step
/// without a record of the first factor counts it as the password.
fn combined_amr(base: &[String], factor_amr: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = if base.is_empty() {
        vec!["pwd".into()]
    } else {
        base.iter().filter(|a| *a != "mfa").cloned().collect()
    };
    for a in factor_amr.iter().filter(|a| **a != "mfa") {
        if !out.iter().any(|x| x == a) {
            out.push((*a).to_string());
        }
    }
    out.push("mfa".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amr_lists_both_factors_once_with_mfa_last() {
        let pwd = vec!["pwd".to_string()];
        assert_eq!(
            combined_amr(&pwd, &crate::authn::AMR_PASSWORD_OTP),
            ["pwd", "otp", "mfa"]
        );
        assert_eq!(
            combined_amr(&[], &crate::authn::AMR_PASSWORD_SMS),
            ["pwd", "sms", "mfa"]
        );
        // A step-up of a session proven some other way keeps that way, not "pwd".
        let hwk = vec!["hwk".to_string(), "user".to_string()];
        assert_eq!(
            combined_amr(&hwk, &["otp", "mfa"]),
            ["hwk", "user", "otp", "mfa"]
        );
    }
}

#[cfg(test)]
mod compat_tests {
    //! A login waiting for its second factor, as this release writes it (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    /// After a password, within an authorization request, "remember me" ticked.
    const AFTER_PASSWORD: &str = r#"{"account_id":"0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20","tx":"Yw2Lq8Zr5TnK0vXc3Bm7Hs1Pd9Gf4Ja6Ue_Ro2Ki8Wo","persistent":true,"step_up":false,"base_amr":["pwd"]}"#;
    /// A passkey session stepping up, outside any authorization request.
    const STEP_UP: &str = r#"{"account_id":"0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20","tx":null,"persistent":false,"step_up":true,"base_amr":["hwk","user"]}"#;

    #[test]
    fn a_pending_second_step_reads_across_releases() {
        let p: PendingStep = reads_across_releases(AFTER_PASSWORD);
        assert_eq!(
            p.account_id.as_str(),
            "0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20"
        );
        assert_eq!(
            p.tx.as_deref(),
            Some("Yw2Lq8Zr5TnK0vXc3Bm7Hs1Pd9Gf4Ja6Ue_Ro2Ki8Wo")
        );
        assert!(p.persistent && !p.step_up);
        assert_eq!(
            combined_amr(&p.base_amr, &crate::authn::AMR_PASSWORD_SMS),
            ["pwd", "sms", "mfa"]
        );
        let p: PendingStep = reads_across_releases(STEP_UP);
        assert!(p.step_up && !p.persistent && p.tx.is_none());
        assert_eq!(p.base_amr, ["hwk", "user"]);
    }
}
