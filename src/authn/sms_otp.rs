//! One-time SMS codes of two-step login and of turning it on: 6 digits, valid `login.sms_code_ttl`
//! seconds, at most 5 attempts. Sending and checking go through the one code sender
//! (authn/code_sender: resend cooldown, per-number, per-IP and global limits, atomic counters).

use super::code_sender::{self, Code, CodeError, Secret};
use crate::cache::CacheError;
use crate::ctx::Ctx;
use crate::identity::{Contact, Phone};
use crate::store::StoreError;
use crate::types::AccountId;

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

impl From<CodeError> for OtpError {
    fn from(e: CodeError) -> Self {
        match e {
            CodeError::TooEarly(s) => OtpError::TooEarly(s),
            CodeError::SendLimit => OtpError::SendLimit,
            CodeError::Expired => OtpError::Expired,
            CodeError::Wrong { .. } => OtpError::Wrong,
            CodeError::TooManyAttempts => OtpError::TooManyAttempts,
            CodeError::Store(s) => OtpError::Store(s),
            CodeError::Cache(c) => OtpError::Cache(c),
        }
    }
}

fn purpose(purpose: &str) -> String {
    format!("sms-{purpose}")
}

/// Sends a fresh code to `phone` (replacing an earlier one) unless a limit forbids it.
/// `purpose` separates uses (login step, enabling two-step login); `subject` is whose code it is.
/// With `via`, the code goes through the channel that account chose (authn::channels) — for login
/// codes; confirming the phone itself passes None.
pub async fn send(
    app: &Ctx,
    purpose_name: &str,
    subject: &str,
    phone: &Phone,
    ip: &str,
    via: Option<&AccountId>,
) -> Result<(), OtpError> {
    let ttl = app.config.login.sms_code_ttl;
    let to = Contact::Phone(phone.clone());
    let minutes = (ttl / 60).max(1);
    let purpose = purpose(purpose_name);
    let code = Code {
        purpose: &purpose,
        subject,
        to: &to,
        ip,
        ttl,
        secret: Secret::Digits,
    };
    let text = |code: &str| {
        // The page's language: the person is on it, waiting for this code.
        let t = crate::lang::Tr::new(crate::lang::Lang::for_message(None));
        (
            t.s("notify.login_code_subject"),
            t.f(
                "notify.login_code_body",
                &[("code", code.into()), ("minutes", minutes.into())],
            ),
        )
    };
    match via {
        Some(account) => code_sender::issue_via_channel(app, code, account, text).await?,
        None => code_sender::issue(app, code, text).await?,
    }
    Ok(())
}

/// Checks a code; a right one is spent, the fifth wrong one ends the code.
pub async fn verify(
    app: &Ctx,
    purpose_name: &str,
    subject: &str,
    code: &str,
) -> Result<(), OtpError> {
    code_sender::check(app, &purpose(purpose_name), subject, code, MAX_ATTEMPTS).await?;
    Ok(())
}

/// The account's confirmed phone, if it has one.
pub async fn confirmed_phone(
    app: &Ctx,
    account_id: &AccountId,
) -> Result<Option<Phone>, StoreError> {
    Ok(app
        .store
        .identifiers(account_id)
        .await?
        .into_iter()
        .filter(|i| i.kind == "phone" && i.verified_at.is_some())
        .find_map(|i| i.value.parse::<Phone>().ok()))
}
