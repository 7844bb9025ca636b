//! Changing a phone or e-mail (REQUIREMENTS §1, 004:179): a new contact replaces the old one only once
//! a code sent to the new one is entered (an e-mail gets the code too, so one form serves both); until
//! then the old contact stays the login and the place notifications go. The old contact is told.
//! The code goes through the one code sender (cooldown, caps, atomic attempt counting).

use crate::authn::code_sender::{self, Code, CodeError, Secret};
use crate::cache::CacheError;
use crate::ctx::Ctx;
use crate::identity::contact::{Contact, ContactError};
use crate::lang::{Lang, Tr};
use crate::store::StoreError;
use crate::types::AccountId;
use serde::{Deserialize, Serialize};

const TTL: i64 = 600;
const MAX_ATTEMPTS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum ContactChangeError {
    #[error(transparent)]
    Invalid(#[from] ContactError),
    #[error("this contact belongs to another account")]
    Taken,
    #[error("this is already your contact")]
    Same,
    #[error("no change is waiting for a code")]
    NoChange,
    #[error("wrong code")]
    WrongCode,
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error("a new code may be sent in {0} s")]
    TooEarly(i64),
    #[error("too many codes to this contact or from this address")]
    SendLimit,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

#[derive(Serialize, Deserialize)]
struct PendingChange {
    contact: String,
}

fn key(account_id: &AccountId) -> String {
    format!("contact:{account_id}")
}

const PURPOSE: &str = "contact";

impl From<CodeError> for ContactChangeError {
    fn from(e: CodeError) -> Self {
        match e {
            CodeError::TooEarly(s) => ContactChangeError::TooEarly(s),
            CodeError::SendLimit => ContactChangeError::SendLimit,
            CodeError::Expired => ContactChangeError::NoChange,
            CodeError::Wrong { .. } => ContactChangeError::WrongCode,
            CodeError::TooManyAttempts => ContactChangeError::TooManyAttempts,
            CodeError::Store(s) => ContactChangeError::Store(s),
            CodeError::Cache(c) => ContactChangeError::Cache(c),
        }
    }
}

/// Sends a code to the new contact; the change waits for it (one pending change per account).
pub async fn start(
    app: &Ctx,
    account_id: &AccountId,
    input: &str,
    ip: &str,
) -> Result<Contact, ContactChangeError> {
    let contact = Contact::parse(input)?;
    let lang = Lang::for_message(app.store.account_lang(account_id).await?);
    if let Some((holder, _)) = app
        .store
        .find_login(contact.kind(), contact.value())
        .await?
    {
        return Err(if holder.id == account_id {
            ContactChangeError::Same
        } else {
            ContactChangeError::Taken
        });
    }
    code_sender::issue(
        app,
        Code {
            purpose: PURPOSE,
            subject: account_id,
            to: &contact,
            ip,
            ttl: TTL,
            secret: Secret::Digits,
        },
        |code| {
            let t = Tr::new(lang);
            (
                t.s("notify.contact_code_subject"),
                t.f("notify.contact_code_body", &[("code", code.into())]),
            )
        },
    )
    .await?;
    let pending = PendingChange {
        contact: contact.value().to_string(),
    };
    app.cache.put_json(&key(account_id), &pending, TTL).await?;
    Ok(contact)
}

/// Checks the code; on success the new contact replaces the old one of its kind (or is added).
pub async fn confirm(
    app: &Ctx,
    account_id: &AccountId,
    code: &str,
) -> Result<Contact, ContactChangeError> {
    let p: PendingChange = app
        .cache
        .get_json(&key(account_id))
        .await?
        .ok_or(ContactChangeError::NoChange)?;
    code_sender::check(app, PURPOSE, account_id, code, MAX_ATTEMPTS).await?;
    if app.cache.take(&key(account_id)).await?.is_none() {
        return Err(ContactChangeError::NoChange);
    }
    let contact = Contact::parse(&p.contact)?;
    let old = app
        .store
        .identifiers(account_id)
        .await?
        .into_iter()
        .find(|i| i.kind == contact.kind() && i.verified_at.is_some())
        .and_then(|i| Contact::parse(&i.value).ok());
    match app
        .store
        .replace_contact(account_id, contact.kind(), contact.value())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict) => return Err(ContactChangeError::Taken),
        Err(e) => return Err(e.into()),
    }
    crate::authn::security_events::record(
        app,
        account_id,
        crate::authn::security_events::Kind::ContactChanged,
        &contact.masked(),
    )
    .await?;
    if let Some(old) = old {
        let t = Tr::new(Lang::for_message(app.store.account_lang(account_id).await?));
        let masked = contact.masked();
        app.notifier
            .send(
                &old,
                &t.s("notify.contact_changed_subject"),
                &t.f(
                    "notify.contact_changed_body",
                    &[("contact", masked.as_str().into())],
                ),
            )
            .await?;
    }
    Ok(contact)
}

/// The longest address text kept (characters).
const MAX_ADDRESS_CHARS: usize = 300;

/// The two addresses of the contacts page as typed (trimmed here).
#[derive(Debug, Clone, Copy)]
pub struct Addresses<'a> {
    /// Registration address (`PRG`).
    pub registration: &'a str,
    /// Residence address (`PLV`).
    pub residence: &'a str,
}

/// What became of an address change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressChange {
    Saved,
    /// One of them is longer than allowed; nothing was saved.
    TooLong,
}

/// Saves both addresses. They change without a registry check (REQUIREMENTS §1); portals see them
/// at the next userinfo call (scope `addresses`). Both are checked before either is written.
pub async fn save_addresses(
    ctx: &Ctx,
    account_id: &AccountId,
    addresses: Addresses<'_>,
) -> Result<AddressChange, StoreError> {
    let list = [
        ("PRG", addresses.registration.trim()),
        ("PLV", addresses.residence.trim()),
    ];
    if list
        .iter()
        .any(|(_, text)| text.chars().count() > MAX_ADDRESS_CHARS)
    {
        return Ok(AddressChange::TooLong);
    }
    for (kind, text) in list {
        ctx.store.set_address(account_id, kind, text).await?;
    }
    Ok(AddressChange::Saved)
}

#[cfg(test)]
mod compat_tests {
    //! A contact change waiting for its code as this release writes it (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    const NEW_PHONE: &str = r#"{"contact":"+79161234567"}"#;
    const NEW_EMAIL: &str = r#"{"contact":"m.ivanova@pochta.example.ru"}"#;

    #[test]
    fn a_pending_contact_change_reads_across_releases() {
        let p: PendingChange = reads_across_releases(NEW_PHONE);
        let contact = Contact::parse(&p.contact).expect("the stored contact parses");
        assert_eq!(contact.kind(), "phone");
        assert_eq!(contact.value(), "+79161234567");
        let p: PendingChange = reads_across_releases(NEW_EMAIL);
        let contact = Contact::parse(&p.contact).expect("the stored contact parses");
        assert_eq!(contact.kind(), "email");
        assert_eq!(contact.value(), "m.ivanova@pochta.example.ru");
    }
}
