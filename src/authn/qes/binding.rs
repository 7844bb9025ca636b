//! Binding a certificate to an account, which is what enables signature login. It needs a fresh
//! login (within `FRESH_SECS` of the session's auth_time), a signature over a bind challenge whose
//! certificate names the account's verified SNILS, and a 6-digit code sent to the account's
//! confirmed phone or e-mail (5 minutes; at most 5 attempts), sent and checked by the one code
//! sender (authn/code_sender: cooldown, send limits, atomic attempt counting).

use super::QesError;
use super::login::{take_challenge, verify};
use crate::authn::code_sender::{self, Code, CodeError, Secret};
use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use crate::identity::Contact;
use crate::lang::{Lang, Tr};
use crate::store::StoreError;
use crate::store::audit::AuditEntry;
use crate::store::qes::NewQesCertificate;
use crate::store::sessions::SessionRow;
use crate::types::AccountId;
use serde::{Deserialize, Serialize};

/// How recent the password (or other) login must be to bind a certificate, seconds.
pub const FRESH_SECS: i64 = 300;
pub const CODE_TTL: i64 = 300;
pub const MAX_ATTEMPTS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error("the login is not fresh enough")]
    NotFresh,
    #[error("challenge unknown, expired or already used")]
    Challenge,
    #[error(transparent)]
    Signature(#[from] QesError),
    #[error("the account has no verified SNILS")]
    NoVerifiedSnils,
    #[error("the certificate's SNILS is not the account's")]
    SnilsMismatch,
    #[error("the certificate is already bound")]
    AlreadyBound,
    #[error("the account has no confirmed contact for the code")]
    NoContact,
    #[error("binding unknown or expired")]
    UnknownOrExpired,
    #[error("wrong code")]
    WrongCode { remaining: u32 },
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error("a code was sent a moment ago")]
    TooEarly,
    #[error("too many codes to this contact or from this address")]
    SendLimit,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl BindError {
    pub fn message_key(&self) -> Option<&'static str> {
        Some(match self {
            BindError::NotFresh => "qes.err.not_fresh",
            BindError::Challenge => "qes.err.challenge",
            BindError::Signature(e) => e.message_key(),
            BindError::NoVerifiedSnils => "qes.err.no_verified_snils",
            BindError::SnilsMismatch => "qes.err.snils_mismatch",
            BindError::AlreadyBound => "qes.err.already_bound",
            BindError::NoContact => "qes.err.no_contact",
            BindError::UnknownOrExpired => "qes.err.bind_expired",
            BindError::WrongCode { .. } => "qes.err.wrong_code",
            BindError::TooManyAttempts => "qes.err.too_many_attempts",
            BindError::TooEarly => "codes.sent_moment_ago",
            BindError::SendLimit => "codes.limit",
            BindError::Store(_) | BindError::Cache(_) => return None,
        })
    }
}

/// A verified certificate waiting for the code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingBind {
    pub account_id: AccountId,
    pub snils: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub fingerprint: String,
    pub expires_at: i64,
    /// Where the code went, masked, for the page.
    pub sent_to: String,
}

fn key(id: &str) -> String {
    format!("qes:bind:{id}")
}

const PURPOSE: &str = "qes-bind";

impl From<CodeError> for BindError {
    fn from(e: CodeError) -> Self {
        match e {
            CodeError::TooEarly(_) => BindError::TooEarly,
            CodeError::SendLimit => BindError::SendLimit,
            CodeError::Expired | CodeError::TooManyAttempts => BindError::TooManyAttempts,
            CodeError::Wrong { remaining } => BindError::WrongCode { remaining },
            CodeError::Store(s) => BindError::Store(s),
            CodeError::Cache(c) => BindError::Cache(c),
        }
    }
}

pub fn is_fresh(app: &Ctx, session: &SessionRow) -> bool {
    app.clock.now() - session.auth_time <= FRESH_SECS
}

/// Checks the signature and sends the code; returns the pending binding's id.
pub async fn start(
    app: &Ctx,
    session: &SessionRow,
    challenge: &str,
    signature: &[u8],
    english: bool,
    ip: &str,
) -> Result<(String, PendingBind), BindError> {
    if !is_fresh(app, session) {
        return Err(BindError::NotFresh);
    }
    let account_id = &session.account_id;
    if !take_challenge(app, "bind", challenge, account_id).await? {
        return Err(BindError::Challenge);
    }
    let verified = verify(app, challenge, signature).await?;
    let ids = app.store.identifiers(account_id).await?;
    let snils = ids
        .iter()
        .find(|i| i.kind == "snils" && i.verified_at.is_some())
        .ok_or(BindError::NoVerifiedSnils)?;
    if !crypto::ct_eq(&snils.value, verified.snils.as_str()) {
        return Err(BindError::SnilsMismatch);
    }
    if app
        .store
        .qes_certificate_by_fingerprint(&verified.fingerprint)
        .await?
        .is_some()
    {
        return Err(BindError::AlreadyBound);
    }
    let contact = confirmed_contact(&ids).ok_or(BindError::NoContact)?;
    let id = crypto::random_token();
    let pending = PendingBind {
        account_id: account_id.clone(),
        snils: verified.snils.as_str().to_string(),
        subject: verified.subject,
        issuer: verified.issuer,
        serial: verified.serial,
        fingerprint: verified.fingerprint,
        expires_at: app.clock.now() + CODE_TTL,
        sent_to: contact.masked(),
    };
    let code = Code {
        purpose: PURPOSE,
        subject: &id,
        to: &contact,
        ip,
        ttl: CODE_TTL,
        secret: Secret::Digits,
    };
    let t = Tr::new(if english { Lang::En } else { Lang::Ru });
    code_sender::issue(app, code, |code| {
        (
            t.s("notify.qes_code_subject"),
            t.f("notify.qes_code_body", &[("code", code.into())]),
        )
    })
    .await?;
    app.cache.put_json(&key(&id), &pending, CODE_TTL).await?;
    Ok((id, pending))
}

/// The pending binding `id` of `account_id`, if it is still open.
pub async fn pending(
    app: &Ctx,
    account_id: &AccountId,
    id: &str,
) -> Result<PendingBind, BindError> {
    let p: PendingBind = app
        .cache
        .get_json(&key(id))
        .await?
        .ok_or(BindError::UnknownOrExpired)?;
    if p.account_id != account_id || p.expires_at <= app.clock.now() {
        return Err(BindError::UnknownOrExpired);
    }
    Ok(p)
}

/// Checks the code; the right one binds the certificate (audited), a wrong one costs an attempt.
pub async fn confirm(
    app: &Ctx,
    account_id: &AccountId,
    id: &str,
    code: &str,
) -> Result<PendingBind, BindError> {
    let p = pending(app, account_id, id).await?;
    match code_sender::check(app, PURPOSE, id, code, MAX_ATTEMPTS).await {
        Ok(()) => {}
        Err(e @ (CodeError::TooManyAttempts | CodeError::Expired)) => {
            // The code is burnt: the binding ends with it.
            app.cache.delete(&key(id)).await?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    }
    // Consume first so a racing second submission cannot bind twice.
    if app.cache.take(&key(id)).await?.is_none() {
        return Err(BindError::UnknownOrExpired);
    }
    match app
        .store
        .bind_qes_certificate(NewQesCertificate {
            account_id,
            snils: &p.snils,
            subject: &p.subject,
            issuer: &p.issuer,
            serial: &p.serial,
            fingerprint: &p.fingerprint,
        })
        .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict) => return Err(BindError::AlreadyBound),
        Err(e) => return Err(e.into()),
    }
    app.store
        .append_audit(AuditEntry {
            actor: account_id,
            action: "qes.certificate_bound",
            target: account_id,
            request_id: &crate::request_id::current(),
            details: serde_json::json!({
                "subject": p.subject,
                "issuer": p.issuer,
                "serial": p.serial,
                "fingerprint": p.fingerprint,
            }),
        })
        .await?;
    // A new way into the account: the person hears about it on the contact the code went to.
    if let Some(contact) = confirmed_contact(&app.store.identifiers(account_id).await?) {
        let t = Tr::new(Lang::for_message(app.store.account_lang(account_id).await?));
        app.notifier
            .send(
                &contact,
                &t.s("notify.qes_bound_subject"),
                &t.s("notify.qes_bound_body"),
            )
            .await?;
    }
    Ok(p)
}

/// The confirmed phone, else the confirmed e-mail.
fn confirmed_contact(ids: &[crate::store::accounts::IdentifierRow]) -> Option<Contact> {
    ["phone", "email"].iter().find_map(|kind| {
        ids.iter()
            .find(|i| i.kind == *kind && i.verified_at.is_some())
            .and_then(|i| Contact::parse(&i.value).ok())
    })
}

/// What became of an unbinding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unbinding {
    /// Unbound and audited; with none left, signature login is off again.
    Unbound,
    /// The account has no such certificate: nothing changed.
    NotBound,
}

/// Unbinds one of the account's certificates (by its id) and audits it.
pub async fn unbind(
    app: &Ctx,
    account_id: &AccountId,
    certificate_id: &str,
) -> Result<Unbinding, StoreError> {
    if !app
        .store
        .unbind_qes_certificate(account_id, certificate_id)
        .await?
    {
        return Ok(Unbinding::NotBound);
    }
    app.store
        .append_audit(AuditEntry {
            actor: account_id,
            action: "qes.certificate_unbound",
            target: account_id,
            request_id: &crate::request_id::current(),
            details: serde_json::json!({ "certificate": certificate_id }),
        })
        .await?;
    Ok(Unbinding::Unbound)
}

#[cfg(test)]
mod compat_tests {
    //! A verified certificate waiting for its code, as this release writes it
    //! (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    const PENDING: &str = r#"{"account_id":"0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20","snils":"11223344595","subject":"CN=Иванова Мария Петровна,SN=Иванова,GN=Мария Петровна,1.2.643.100.3=11223344595,C=RU","issuer":"CN=ООО «Удостоверяющий центр»,O=ООО «Удостоверяющий центр»,C=RU","serial":"01da8f3c00a1b2c3d4e5f60718293a4b","fingerprint":"9f2c4e7a1b3d5f6e8c0a2b4d6f8e1c3a5b7d9f0e2c4a6b8d0f1e3c5a7b9d1f2e","expires_at":1780000300,"sent_to":"+7 (916) ***-**-67"}"#;

    #[test]
    fn a_pending_binding_reads_across_releases() {
        let p: PendingBind = reads_across_releases(PENDING);
        assert_eq!(
            p.account_id.as_str(),
            "0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20"
        );
        assert_eq!(p.snils, "11223344595");
        assert!(p.subject.starts_with("CN=Иванова Мария Петровна,"));
        assert_eq!(p.serial, "01da8f3c00a1b2c3d4e5f60718293a4b");
        assert_eq!(p.expires_at, 1_780_000_300);
        assert_eq!(p.sent_to, "+7 (916) ***-**-67");
    }
}
