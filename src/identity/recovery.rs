//! «Восстановить пароль» (REQUIREMENTS §4): by phone (SMS code), e-mail (a link), or SNILS or passport
//! plus a code to a confirmed contact. The answer is the same whether or not an account was found (a
//! recovery transaction exists either way; an unknown one simply never accepts a code). Completing it
//! sets the password, ends every session, lifts a login lock and notifies the person.

use crate::app::AppState;
use crate::cache::CacheError;
use crate::crypto::{self, password::PasswordError};
use crate::identity::contact::Contact;
use crate::identity::password_policy::{self, PolicyError};
use crate::identity::validation::Snils;
use crate::store::StoreError;
use serde::{Deserialize, Serialize};

const TTL: i64 = 900;
const MAX_ATTEMPTS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    #[error("enter a phone, e-mail, SNILS or passport")]
    BadInput,
    #[error("the recovery is unknown or expired")]
    UnknownOrExpired,
    #[error("wrong code")]
    WrongCode,
    #[error("too many wrong codes")]
    TooManyAttempts,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingRecovery {
    /// None when nobody matched: the flow looks the same and can never complete.
    account_id: Option<String>,
    secret_hash: String,
    attempts: u32,
    expires_at: i64,
    confirmed: bool,
}

fn key(id: &str) -> String {
    format!("rec:{id}")
}

/// What the person typed: a login (phone, e-mail, SNILS) or a passport series and number.
pub enum Who<'a> {
    Login(&'a str),
    Passport { series: &'a str, number: &'a str },
}

/// Finds the account and the confirmed contact to send the secret to.
async fn resolve(
    app: &AppState,
    who: &Who<'_>,
) -> Result<Option<(String, Contact)>, RecoveryError> {
    let account_id = match who {
        Who::Login(login) => {
            if let Ok(contact) = Contact::parse(login)
                && let Some((a, _)) = app
                    .store
                    .find_login(contact.kind(), contact.value())
                    .await?
            {
                // A phone or e-mail login: the secret goes to that very contact.
                return Ok(Some((a.id, contact)));
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
    let ids = app.store.identifiers(&account_id).await?;
    let pick = |kind: &str| {
        ids.iter()
            .find(|i| i.kind == kind && i.verified_at.is_some())
            .and_then(|i| Contact::parse(&i.value).ok())
    };
    Ok(pick("phone")
        .or_else(|| pick("email"))
        .map(|c| (account_id, c)))
}

/// Starts a recovery; returns its id. Sends an SMS code or an e-mail link when an account matched.
pub async fn start(app: &AppState, who: Who<'_>) -> Result<String, RecoveryError> {
    let valid_input = match &who {
        Who::Login(l) => Contact::parse(l).is_ok() || l.parse::<Snils>().is_ok(),
        Who::Passport { series, number } => series.trim().len() == 4 && number.trim().len() == 6,
    };
    if !valid_input {
        return Err(RecoveryError::BadInput);
    }
    let found = resolve(app, &who).await?;
    let id = crypto::random_token();
    let secret = match found.as_ref().map(|(_, c)| c) {
        Some(Contact::Email(_)) => crypto::random_token(),
        _ => crypto::random_digits(6),
    };
    let pending = PendingRecovery {
        account_id: found.as_ref().map(|(a, _)| a.clone()),
        secret_hash: crypto::hash_secret("recovery", &secret),
        attempts: 0,
        expires_at: app.clock.now() + TTL,
        confirmed: false,
    };
    app.cache.put_json(&key(&id), &pending, TTL).await?;
    match found.map(|(_, c)| c) {
        Some(c @ Contact::Phone(_)) => {
            let body = format!(
                "Код для восстановления доступа: {secret}. Никому не сообщайте его. Действует 15 мин."
            );
            app.notifier
                .send(&c, "Восстановление доступа", &body)
                .await?;
        }
        Some(c @ Contact::Email(_)) => {
            let link = format!("{}/recover/link?rid={id}&token={secret}", app.issuer());
            let body = format!(
                "Чтобы восстановить доступ к учётной записи, перейдите по ссылке {link} (действует 15 мин). Если это были не вы, ничего не делайте."
            );
            app.notifier
                .send(&c, "Восстановление доступа", &body)
                .await?;
        }
        None => {}
    }
    Ok(id)
}

async fn pending(app: &AppState, id: &str) -> Result<PendingRecovery, RecoveryError> {
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

/// Checks the SMS code or the e-mail token. An unknown person's recovery never accepts one.
pub async fn confirm(app: &AppState, id: &str, secret: &str) -> Result<(), RecoveryError> {
    let mut p = pending(app, id).await?;
    if p.attempts >= MAX_ATTEMPTS {
        return Err(RecoveryError::TooManyAttempts);
    }
    let ttl = (p.expires_at - app.clock.now()).max(1);
    let right = crypto::ct_eq(
        &crypto::hash_secret("recovery", secret.trim()),
        &p.secret_hash,
    ) && p.account_id.is_some();
    if right {
        p.confirmed = true;
        app.cache.put_json(&key(id), &p, ttl).await?;
        return Ok(());
    }
    p.attempts += 1;
    app.cache.put_json(&key(id), &p, ttl).await?;
    Err(if p.attempts >= MAX_ATTEMPTS {
        RecoveryError::TooManyAttempts
    } else {
        RecoveryError::WrongCode
    })
}

pub async fn is_confirmed(app: &AppState, id: &str) -> Result<bool, RecoveryError> {
    Ok(pending(app, id).await?.confirmed)
}

/// Sets the new password (consuming the recovery), ends every session, lifts a login lock and
/// notifies. Returns the account id.
pub async fn complete(
    app: &AppState,
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
        &password_policy::words_of_account(app, &account_id).await?,
    )?;
    let hash = app.passwords.hash(password).await?;
    if app.cache.take(&key(id)).await?.is_none() {
        return Err(RecoveryError::UnknownOrExpired);
    }
    app.store.set_password(&account_id, &hash).await?;
    app.store.lift_lock(&account_id).await?;
    crate::authn::logout::end_all_sessions(app, &account_id).await?;
    crate::identity::levels::notify(
        app,
        &account_id,
        "Пароль учётной записи восстановлен, все сеансы завершены. Если это были не вы, обратитесь в службу поддержки.",
    )
    .await?;
    Ok(account_id)
}
