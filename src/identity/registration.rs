//! Simplified-account registration (REQUIREMENTS §2): names + phone or e-mail → «Зарегистрироваться»
//! (accepts the terms and privacy policy, whose versions are stored) → SMS code or e-mail link →
//! password → account. The pending registration lives in the cache so any node can continue it.
//!
//! Whether the phone or e-mail is registered already is not told to whoever typed it: the answer,
//! the next page and the one message sent (through the code sender's guard) look the same. The
//! owner of the existing account gets a notice instead of a code («кто-то пытался
//! зарегистрироваться…»), so the code step simply never succeeds for a taken contact; only a
//! person who proved the contact with a code may be told it is taken (a race at completion).

use super::contact::{Contact, ContactError};
use super::names::{NameError, normalise_name};
use super::password_policy::{self, PolicyError};
use crate::authn::code_sender::{self, Code, CodeError, Secret};
use crate::cache::CacheError;
use crate::crypto::{self, password::PasswordError};
use crate::ctx::Ctx;
use crate::lang::{Lang, Tr};
use crate::store::StoreError;
use crate::store::accounts::{AccountRow, NewAccount};
use crate::store::change::Change;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum RegError {
    #[error("surname: {0}")]
    Surname(NameError),
    #[error("name: {0}")]
    GivenName(NameError),
    #[error(transparent)]
    Contact(#[from] ContactError),
    #[error("this contact is already registered")]
    ContactTaken,
    #[error("the registration is unknown or expired")]
    UnknownOrExpired,
    #[error("wrong confirmation code")]
    WrongCode { remaining: u32 },
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error("a new code may be sent in {0} s")]
    TooEarly(i64),
    #[error("too many codes to this contact or from this address")]
    SendLimit,
    #[error("contact not confirmed yet")]
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

/// What the form submitted, unvalidated.
pub struct RegistrationForm<'a> {
    pub surname: &'a str,
    pub given_name: &'a str,
    pub contact: &'a str,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingRegistration {
    pub surname: String,
    pub given_name: String,
    pub contact: String,
    pub terms_version: String,
    pub privacy_version: String,
    pub expires_at: i64,
    pub confirmed: bool,
    /// The authorization request to resume once the account exists.
    pub tx: Option<String>,
}

impl PendingRegistration {
    pub fn contact(&self) -> Contact {
        Contact::parse(&self.contact).expect("stored contact was validated")
    }
}

fn key(id: &str) -> String {
    format!("reg:{id}")
}

const PURPOSE: &str = "register";

impl From<CodeError> for RegError {
    fn from(e: CodeError) -> Self {
        match e {
            CodeError::TooEarly(s) => RegError::TooEarly(s),
            CodeError::SendLimit => RegError::SendLimit,
            CodeError::Expired | CodeError::TooManyAttempts => RegError::TooManyAttempts,
            CodeError::Wrong { remaining } => RegError::WrongCode { remaining },
            CodeError::Store(s) => RegError::Store(s),
            CodeError::Cache(c) => RegError::Cache(c),
        }
    }
}

/// The message with the code (phone) or the link (e-mail), in the language of the registration
/// page; the link opens the next page in that language too.
fn code_message(
    app: &Ctx,
    contact: &Contact,
    id: &str,
    secret: &str,
    minutes: i64,
    lang: Lang,
) -> (String, String) {
    let t = Tr::new(lang);
    match contact {
        Contact::Phone(_) => (
            t.s("notify.reg_code_subject"),
            t.f(
                "notify.reg_code_body",
                &[("code", secret.into()), ("minutes", minutes.into())],
            ),
        ),
        Contact::Email(_) => {
            let link = format!(
                "{}/register/verify?reg={id}&lang={}&token={secret}",
                app.issuer(),
                lang.code()
            );
            (
                t.s("notify.reg_link_subject"),
                t.f(
                    "notify.reg_link_body",
                    &[("link", link.as_str().into()), ("minutes", minutes.into())],
                ),
            )
        }
    }
}

/// The notice to the owner of an already registered contact, instead of a code: in the language
/// the owner chose, else the page's.
async fn taken_notice(
    app: &Ctx,
    contact: &Contact,
    lang: Lang,
) -> Result<(String, String), StoreError> {
    let chosen = match app
        .store
        .find_login(contact.kind(), contact.value())
        .await?
    {
        Some((holder, _)) => app.store.account_lang(&holder.id).await?,
        None => None,
    };
    let lang = chosen.unwrap_or(lang);
    let t = Tr::new(lang);
    let link = format!("{}/recover?lang={}", app.issuer(), lang.code());
    Ok((
        t.s("notify.taken_subject"),
        t.f("notify.taken_body", &[("link", link.as_str().into())]),
    ))
}

/// Validates the form, sends the code (phone) or link (e-mail), returns the registration id.
/// A contact that is registered already gets the owner's notice instead; the answer is the same.
pub async fn start(
    app: &Ctx,
    form: RegistrationForm<'_>,
    tx: Option<String>,
    lang: Lang,
    ip: &str,
) -> Result<String, RegError> {
    let surname = normalise_name(form.surname).map_err(RegError::Surname)?;
    let given_name = normalise_name(form.given_name).map_err(RegError::GivenName)?;
    let contact = Contact::parse(form.contact)?;
    let taken = app
        .store
        .identifier_taken(contact.kind(), contact.value())
        .await?;
    let id = crypto::random_token();
    let ttl = app.config.registration.code_ttl;
    let pending = PendingRegistration {
        surname,
        given_name,
        contact: contact.value().to_owned(),
        terms_version: app.config.registration.terms_version.clone(),
        privacy_version: app.config.registration.privacy_version.clone(),
        expires_at: app.clock.now() + ttl,
        confirmed: false,
        tx,
    };
    if taken {
        let (subject, body) = taken_notice(app, &contact, lang).await?;
        code_sender::notice(app, PURPOSE, &contact, ip, &subject, &body).await?;
        code_sender::issue_unsendable(app, PURPOSE, &id, ttl).await?;
    } else {
        let minutes = ttl / 60;
        code_sender::issue(
            app,
            Code {
                purpose: PURPOSE,
                subject: &id,
                to: &contact,
                ip,
                ttl,
                secret: match contact {
                    Contact::Phone(_) => Secret::Digits,
                    Contact::Email(_) => Secret::Link,
                },
            },
            |secret| code_message(app, &contact, &id, secret, minutes, lang),
        )
        .await?;
    }
    app.cache.put_json(&key(&id), &pending, ttl + 600).await?;
    Ok(id)
}

pub async fn pending(app: &Ctx, id: &str) -> Result<PendingRegistration, RegError> {
    let p: PendingRegistration = app
        .cache
        .get_json(&key(id))
        .await?
        .ok_or(RegError::UnknownOrExpired)?;
    if !p.confirmed && p.expires_at <= app.clock.now() {
        return Err(RegError::UnknownOrExpired);
    }
    Ok(p)
}

/// Checks the SMS code or e-mail token; wrong ones are counted atomically (code_sender) and the
/// last allowed one burns the code.
pub async fn confirm(app: &Ctx, id: &str, secret: &str) -> Result<PendingRegistration, RegError> {
    let mut p = pending(app, id).await?;
    if p.confirmed {
        return Ok(p);
    }
    let max = app.config.registration.max_attempts;
    code_sender::check(app, PURPOSE, id, secret, max).await?;
    p.confirmed = true;
    let ttl = (p.expires_at - app.clock.now()).max(1) + 600;
    app.cache.put_json(&key(id), &p, ttl).await?;
    Ok(p)
}

/// Sets the password and creates the account. The pending registration is consumed.
pub async fn complete(
    app: &Ctx,
    id: &str,
    password: &str,
    repeat: &str,
) -> Result<(AccountRow, Option<String>), RegError> {
    let p = pending(app, id).await?;
    if !p.confirmed {
        return Err(RegError::NotConfirmed);
    }
    password_policy::check(
        password,
        repeat,
        &password_policy::person_words(&[&p.surname, &p.given_name, p.contact().value()]),
    )?;
    let hash = app.passwords.hash(password).await?;
    let contact = p.contact();
    let account = app
        .store
        .create_account(NewAccount {
            surname: &p.surname,
            given_name: &p.given_name,
            contact_kind: contact.kind(),
            contact_value: contact.value(),
            terms_version: &p.terms_version,
            privacy_version: &p.privacy_version,
            registered_via: "self",
            password_hash: &hash,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict => RegError::ContactTaken,
            e => RegError::Store(e),
        })?;
    app.cache.delete(&key(id)).await?;
    Ok((account, p.tx))
}

/// Registration in person by a service-centre operator (seed 000:326): same validation, contact
/// taken as confirmed by the operator, password chosen by the person at the desk.
pub async fn register_in_person(
    app: &Ctx,
    form: RegistrationForm<'_>,
    password: &str,
) -> Result<AccountRow, RegError> {
    let (row, change) = register_in_person_staged(app, form, password).await?;
    change.commit_unaudited().await?;
    Ok(row)
}

/// [`register_in_person`] written in a change the operator's command commits with its audit entry.
pub async fn register_in_person_staged<'a>(
    app: &'a Ctx,
    form: RegistrationForm<'_>,
    password: &str,
) -> Result<(AccountRow, Change<'a>), RegError> {
    let surname = normalise_name(form.surname).map_err(RegError::Surname)?;
    let given_name = normalise_name(form.given_name).map_err(RegError::GivenName)?;
    let contact = Contact::parse(form.contact)?;
    password_policy::check(
        password,
        password,
        &password_policy::person_words(&[&surname, &given_name, contact.value()]),
    )?;
    let hash = app.passwords.hash(password).await?;
    let mut change = app.store.change().await?;
    let row = change
        .create_account(NewAccount {
            surname: &surname,
            given_name: &given_name,
            contact_kind: contact.kind(),
            contact_value: contact.value(),
            terms_version: &app.config.registration.terms_version,
            privacy_version: &app.config.registration.privacy_version,
            registered_via: "operator",
            password_hash: &hash,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict => RegError::ContactTaken,
            e => RegError::Store(e),
        })?;
    Ok((row, change))
}

#[cfg(test)]
mod compat_tests {
    /// A registration between its steps as this release writes it (`crate::cache::compat`).
    const PENDING: &str = r#"{"surname":"Иванова","given_name":"Мария","contact":"+79990000001","terms_version":"2026-01","privacy_version":"2026-01","expires_at":1780000600,"confirmed":true,"tx":"tx-1"}"#;

    #[test]
    fn a_pending_registration_reads_across_releases() {
        let p: super::PendingRegistration = crate::cache::compat::reads_across_releases(PENDING);
        assert_eq!(p.contact, "+79990000001");
        assert!(p.confirmed);
        assert_eq!(p.tx.as_deref(), Some("tx-1"));
    }
}
