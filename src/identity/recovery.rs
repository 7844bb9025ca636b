//! «Восстановить пароль» (REQUIREMENTS §4): by phone (SMS code), e-mail (a link), or SNILS or passport
//! plus a code to a confirmed contact. The answer is the same whether or not an account was found (a
//! recovery transaction exists either way; an unknown one simply never accepts a code). Completing it
//! sets the password, ends every session, lifts a login lock and notifies the person.
//!
//! Every message goes through the one code sender (authn/code_sender); its guard is applied to what
//! was typed first, so a known and an unknown login meet the same cooldown and limits.
//!
//! **Second factor.** When the account has two-step sign-in (an authenticator app, or SMS codes),
//! the code to a contact is only the first of two independent proofs. The second must not travel
//! the channel the first came by:
//! * a code from the authenticator app, or one of its recovery codes, is always accepted;
//! * with SMS two-step sign-in and a recovery by e-mail link, an SMS code to the two-step phone;
//! * with SMS two-step sign-in and a recovery by SMS (always the same confirmed phone), a second SMS
//!   would prove nothing: an e-mail code to the confirmed e-mail instead, when there is one.
//!
//! Without any of them the page sends the person to a service centre (in-person confirmation).
//! Wrong second factors count toward the recovery's attempt limit (and are recorded as failed
//! sign-in attempts of the account), and the limit burns the recovery.

use crate::authn::code_sender::{self, Code, CodeError, Secret};
use crate::authn::lockout::{self, Attempt};
use crate::authn::{second_factor, totp};
use crate::cache::CacheError;
use crate::crypto::{self, password::PasswordError};
use crate::ctx::Ctx;
use crate::identity::contact::Contact;
use crate::identity::password_policy::{self, PolicyError};
use crate::identity::validation::Snils;
use crate::lang::{Lang, Tr};
use crate::store::StoreError;
use crate::types::AccountId;
use serde::{Deserialize, Serialize};

const TTL: i64 = 900;
const MAX_ATTEMPTS: u32 = 5;
const PURPOSE: &str = "recover";
const SECOND_PURPOSE: &str = "recover-2fa";

#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    #[error("enter a phone, e-mail, SNILS or passport")]
    BadInput,
    #[error("the recovery is unknown or expired")]
    UnknownOrExpired,
    #[error("wrong code")]
    WrongCode,
    #[error("code already used")]
    Reused,
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error("a new code may be sent in {0} s")]
    TooEarly(i64),
    #[error("too many codes to this contact or from this address")]
    SendLimit,
    #[error("the code was not confirmed yet")]
    NotConfirmed,
    #[error("password: {0}")]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Hash(#[from] PasswordError),
}

impl From<CodeError> for RecoveryError {
    fn from(e: CodeError) -> Self {
        match e {
            CodeError::TooEarly(s) => RecoveryError::TooEarly(s),
            CodeError::SendLimit => RecoveryError::SendLimit,
            // The recovery exists but its code is gone: burnt by wrong attempts.
            CodeError::Expired | CodeError::TooManyAttempts => RecoveryError::TooManyAttempts,
            CodeError::Wrong { .. } => RecoveryError::WrongCode,
            CodeError::Store(s) => RecoveryError::Store(s),
            CodeError::Cache(c) => RecoveryError::Cache(c),
        }
    }
}

/// What the second step accepts (see the module text).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SecondStep {
    pub totp: bool,
    pub recovery_codes: bool,
    /// The contact a second code goes to (phone or e-mail), independent of the first one.
    pub code_to: Option<String>,
}

impl SecondStep {
    pub fn any(&self) -> bool {
        self.totp || self.recovery_codes || self.code_to.is_some()
    }

    pub fn code_contact(&self) -> Option<Contact> {
        self.code_to.as_deref().and_then(|c| Contact::parse(c).ok())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingRecovery {
    /// None when nobody matched: the flow looks the same and can never complete.
    account_id: Option<String>,
    /// "phone" or "email": the channel the first code or link went by.
    via: Option<String>,
    expires_at: i64,
    /// The code or link to the contact was right.
    contact_proven: bool,
    /// Set once the contact is proven, when the account has two-step sign-in.
    second: Option<SecondStep>,
    /// Every proof needed is given: the password may be set.
    confirmed: bool,
}

/// Where a recovery stands.
pub enum Stage {
    Code,
    Second(SecondStep),
    Password,
}

fn key(id: &str) -> String {
    format!("rec:{id}")
}

/// What the person typed: a login (phone, e-mail, SNILS) or a passport series and number.
pub enum Who<'a> {
    Login(&'a str),
    Passport { series: &'a str, number: &'a str },
}

impl Who<'_> {
    /// The typed identifier, normalised, as the code sender's destination key.
    fn typed(&self) -> String {
        match self {
            Who::Login(l) => match Contact::parse(l) {
                Ok(c) => c.value().to_string(),
                Err(_) => format!(
                    "snils:{}",
                    l.chars().filter(char::is_ascii_digit).collect::<String>()
                ),
            },
            Who::Passport { series, number } => {
                format!("passport:{}{}", series.trim(), number.trim())
            }
        }
    }
}

/// Finds the account and the confirmed contact to send the secret to.
async fn resolve(app: &Ctx, who: &Who<'_>) -> Result<Option<(String, Contact)>, RecoveryError> {
    let account_id = match who {
        Who::Login(login) => {
            if let Ok(contact) = Contact::parse(login)
                && let Some((a, _)) = app
                    .store
                    .find_login(contact.kind(), contact.value())
                    .await?
            {
                // A phone or e-mail login: the secret goes to that very contact.
                return Ok(Some((a.id.to_string(), contact)));
            }
            match login.parse::<Snils>() {
                Ok(s) => app.store.snils_holder(s.as_str()).await?,
                Err(_) => None,
            }
        }
        Who::Passport { series, number } => app.store.passport_holder(series, number).await?,
    };
    let Some(account_id) = account_id else {
        return Ok(None);
    };
    // SNILS or passport: a confirmed phone first (a code), else a confirmed e-mail (a link).
    Ok(
        confirmed_contact(app, &AccountId::from(account_id.as_str()), "phone")
            .await?
            .or(confirmed_contact(app, &AccountId::from(account_id.as_str()), "email").await?)
            .map(|c| (account_id, c)),
    )
}

async fn confirmed_contact(
    app: &Ctx,
    account_id: &AccountId,
    kind: &str,
) -> Result<Option<Contact>, StoreError> {
    Ok(app
        .store
        .identifiers(account_id)
        .await?
        .into_iter()
        .find(|i| i.kind == kind && i.verified_at.is_some())
        .and_then(|i| Contact::parse(&i.value).ok()))
}

/// Starts a recovery; returns its id. Sends an SMS code or an e-mail link when an account matched.
pub async fn start(app: &Ctx, who: Who<'_>, ip: &str) -> Result<String, RecoveryError> {
    let valid_input = match &who {
        Who::Login(l) => Contact::parse(l).is_ok() || l.parse::<Snils>().is_ok(),
        Who::Passport { series, number } => series.trim().len() == 4 && number.trim().len() == 6,
    };
    if !valid_input {
        return Err(RecoveryError::BadInput);
    }
    // The guard on what was typed, before looking anything up: the same for everybody.
    let typed = who.typed();
    code_sender::admit(app, PURPOSE, &typed, ip).await?;
    let mut found = resolve(app, &who).await?;
    if let Some((_, c)) = &found
        && c.value() != typed
    {
        // Found by SNILS or passport: the real destination's own limits apply too, silently.
        match code_sender::admit(app, PURPOSE, c.value(), ip).await {
            Ok(()) => {}
            Err(CodeError::Store(e)) => return Err(e.into()),
            Err(CodeError::Cache(e)) => return Err(e.into()),
            Err(e) => {
                tracing::warn!(reason = %e, "recovery message not sent");
                found = None;
            }
        }
    }
    let id = crypto::random_token();
    let pending = PendingRecovery {
        account_id: found.as_ref().map(|(a, _)| a.clone()),
        via: found.as_ref().map(|(_, c)| c.kind().to_string()),
        expires_at: app.clock.now() + TTL,
        contact_proven: false,
        second: None,
        confirmed: false,
    };
    let lang = match &found {
        Some((account, _)) => Lang::for_message(app.store.account_lang(account).await?),
        None => Lang::for_message(None),
    };
    let t = Tr::new(lang);
    match found.map(|(_, c)| c) {
        Some(c) => {
            let code = Code {
                purpose: PURPOSE,
                subject: &id,
                to: &c,
                ip,
                ttl: TTL,
                secret: match c {
                    Contact::Phone(_) => Secret::Digits,
                    Contact::Email(_) => Secret::Link,
                },
            };
            code_sender::issue_admitted(app, code, |secret| match &c {
                Contact::Phone(_) => (
                    t.s("notify.recover_subject"),
                    t.f("notify.recover_code_body", &[("code", secret.into())]),
                ),
                Contact::Email(_) => {
                    let link = format!(
                        "{}/recover/link?rid={id}&lang={}&token={secret}",
                        app.issuer(),
                        lang.code()
                    );
                    (
                        t.s("notify.recover_subject"),
                        t.f(
                            "notify.recover_link_body",
                            &[("link", link.as_str().into())],
                        ),
                    )
                }
            })
            .await?;
        }
        None => code_sender::issue_unsendable(app, PURPOSE, &id, TTL).await?,
    }
    app.cache.put_json(&key(&id), &pending, TTL).await?;
    Ok(id)
}

async fn pending(app: &Ctx, id: &str) -> Result<PendingRecovery, RecoveryError> {
    let p: PendingRecovery = app
        .cache
        .get_json(&key(id))
        .await?
        .ok_or(RecoveryError::UnknownOrExpired)?;
    if p.expires_at <= app.clock.now() {
        return Err(RecoveryError::UnknownOrExpired);
    }
    Ok(p)
}

async fn save(app: &Ctx, id: &str, p: &PendingRecovery) -> Result<(), RecoveryError> {
    let ttl = (p.expires_at - app.clock.now()).max(1);
    app.cache.put_json(&key(id), p, ttl).await?;
    Ok(())
}

fn stage(p: &PendingRecovery) -> Stage {
    match (&p.second, p.confirmed, p.contact_proven) {
        (_, true, _) => Stage::Password,
        (Some(s), false, true) => Stage::Second(s.clone()),
        _ => Stage::Code,
    }
}

/// What the second step accepts for this account after a first proof by `via` (module text).
async fn second_step(
    app: &Ctx,
    account_id: &AccountId,
    via: Option<&str>,
) -> Result<Option<SecondStep>, RecoveryError> {
    let m = second_factor::methods(app, account_id).await?;
    if !m.any() {
        return Ok(None);
    }
    let code_to = if !m.sms {
        None
    } else if via == Some("email") {
        confirmed_contact(app, account_id, "phone").await?
    } else {
        confirmed_contact(app, account_id, "email").await?
    };
    Ok(Some(SecondStep {
        totp: m.totp,
        recovery_codes: m.recovery,
        code_to: code_to.map(|c| c.value().to_string()),
    }))
}

/// Sends the second-step code to the independent contact (through the code sender's guard).
pub async fn send_second_code(app: &Ctx, id: &str, ip: &str) -> Result<(), RecoveryError> {
    let p = pending(app, id).await?;
    let Stage::Second(second) = stage(&p) else {
        return Err(RecoveryError::NotConfirmed);
    };
    let Some(to) = second.code_contact() else {
        return Err(RecoveryError::NotConfirmed);
    };
    let code = Code {
        purpose: SECOND_PURPOSE,
        subject: id,
        to: &to,
        ip,
        ttl: TTL,
        secret: Secret::Digits,
    };
    let chosen = match &p.account_id {
        Some(account) => app.store.account_lang(account).await?,
        None => None,
    };
    let t = Tr::new(Lang::for_message(chosen));
    code_sender::issue(app, code, |secret| {
        (
            t.s("notify.recover_subject"),
            t.f("notify.recover_second_body", &[("code", secret.into())]),
        )
    })
    .await?;
    Ok(())
}

/// Checks the SMS code or the e-mail token. An unknown person's recovery never accepts one.
/// With two-step sign-in on, the second-step code (if any) is sent right away.
pub async fn confirm(app: &Ctx, id: &str, secret: &str, ip: &str) -> Result<Stage, RecoveryError> {
    let mut p = pending(app, id).await?;
    if p.contact_proven {
        return Ok(stage(&p));
    }
    code_sender::check(app, PURPOSE, id, secret, MAX_ATTEMPTS).await?;
    let Some(account_id) = p.account_id.clone() else {
        return Err(RecoveryError::WrongCode);
    };
    p.contact_proven = true;
    p.second = second_step(app, &AccountId::from(account_id.as_str()), p.via.as_deref()).await?;
    p.confirmed = p.second.is_none();
    save(app, id, &p).await?;
    if p.second.as_ref().is_some_and(|s| s.code_to.is_some()) {
        match send_second_code(app, id, ip).await {
            Ok(()) | Err(RecoveryError::TooEarly(_) | RecoveryError::SendLimit) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(stage(&p))
}

/// Checks the second factor: `method` "totp", "recovery" (a recovery code) or "code" (the code
/// sent to the independent contact). A wrong one counts toward the recovery's attempt limit.
pub async fn confirm_second(
    app: &Ctx,
    id: &str,
    method: &str,
    code: &str,
    who: Attempt<'_>,
) -> Result<(), RecoveryError> {
    let mut p = pending(app, id).await?;
    let (Stage::Second(second), Some(account_id)) = (stage(&p), p.account_id.clone()) else {
        return Err(RecoveryError::NotConfirmed);
    };
    let n = app
        .cache
        .incr(&format!("{}:second-attempts", key(id)), TTL)
        .await?;
    if n > i64::from(MAX_ATTEMPTS) {
        app.cache.delete(&key(id)).await?;
        return Err(RecoveryError::TooManyAttempts);
    }
    let result = match method {
        "totp" if second.totp => {
            totp::verify(app, &AccountId::from(account_id.as_str()), code).await
        }
        "recovery" if second.recovery_codes => {
            totp::use_recovery_code(app, &AccountId::from(account_id.as_str()), code).await
        }
        "code" if second.code_to.is_some() => {
            match code_sender::check(app, SECOND_PURPOSE, id, code, MAX_ATTEMPTS).await {
                Ok(()) => Ok(()),
                Err(CodeError::Store(e)) => Err(totp::TotpError::Store(e)),
                Err(CodeError::Cache(e)) => Err(totp::TotpError::Cache(e)),
                Err(_) => Err(totp::TotpError::Wrong),
            }
        }
        _ => Err(totp::TotpError::Wrong),
    };
    match result {
        Ok(()) => {
            p.confirmed = true;
            save(app, id, &p).await?;
            Ok(())
        }
        Err(totp::TotpError::Store(e)) => Err(e.into()),
        Err(totp::TotpError::Cache(e)) => Err(e.into()),
        Err(e) => {
            let history = if method == "recovery" {
                "recovery"
            } else {
                "otp"
            };
            lockout::record(app, Some(&account_id), who, history, "failure").await?;
            if n == i64::from(MAX_ATTEMPTS) {
                app.cache.delete(&key(id)).await?;
                return Err(RecoveryError::TooManyAttempts);
            }
            Err(match e {
                totp::TotpError::Reused => RecoveryError::Reused,
                _ => RecoveryError::WrongCode,
            })
        }
    }
}

/// Where the recovery stands (which page to show).
pub async fn current_stage(app: &Ctx, id: &str) -> Result<Stage, RecoveryError> {
    Ok(stage(&pending(app, id).await?))
}

pub async fn is_confirmed(app: &Ctx, id: &str) -> Result<bool, RecoveryError> {
    Ok(pending(app, id).await?.confirmed)
}

/// Sets the new password (consuming the recovery), ends every session, lifts a login lock and
/// notifies. Returns the account id.
pub async fn complete(
    app: &Ctx,
    id: &str,
    password: &str,
    repeat: &str,
) -> Result<String, RecoveryError> {
    let p = pending(app, id).await?;
    let (true, Some(account_id)) = (p.confirmed, p.account_id) else {
        return Err(RecoveryError::NotConfirmed);
    };
    password_policy::check(
        password,
        repeat,
        &password_policy::words_of_account(app, &AccountId::from(account_id.as_str())).await?,
    )?;
    let hash = app.passwords.hash(password).await?;
    if app.cache.take(&key(id)).await?.is_none() {
        return Err(RecoveryError::UnknownOrExpired);
    }
    app.store.set_password(&account_id, &hash).await?;
    crate::authn::security_events::record(
        app,
        &account_id,
        crate::authn::security_events::Kind::PasswordChanged,
        "",
    )
    .await?;
    app.store.lift_lock(&account_id).await?;
    crate::authn::logout::end_all_sessions(app, &AccountId::from(account_id.as_str())).await?;
    crate::identity::levels::notify(app, &AccountId::from(account_id.as_str()), |t| {
        t.s("notify.password_recovered")
    })
    .await?;
    Ok(account_id)
}

#[cfg(test)]
#[path = "recovery/compat_tests.rs"]
mod compat_tests;
