//! Deleting an account (REQUIREMENTS §5, 001:320): after a fresh login and an explicit confirmation
//! «безвозвратно». Every session ends (portals get back-channel logout), then the account row goes
//! and with it, by cascade, identifiers (free to register again), credentials, grants with their
//! refresh tokens (access tokens die with their grant), consents, documents, level history, letters
//! and the feed. The audit log keeps only the account id.

use crate::ctx::Ctx;
use crate::identity::Contact;
use crate::lang::{Lang, Tr};
use crate::store::StoreError;
use crate::store::audit::AuditEntry;
use crate::store::sessions::SessionRow;
use crate::types::AccountId;

/// A login younger than this may delete the account (a fresh login, REQUIREMENTS §5).
const FRESH_LOGIN_SECS: i64 = 300;
/// The word the person types to confirm, in the language of the page they type it on
/// («безвозвратно», "irreversibly").
pub fn confirmation_word(lang: Lang) -> String {
    Tr::new(lang).s("delete.word")
}

/// What became of a request to delete the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    Deleted,
    /// The login is older than a fresh one: sign in again first.
    NotFresh,
    /// The confirmation word was not typed.
    NotConfirmed,
}

/// Whether this session signed in recently enough to delete the account.
pub fn is_fresh(ctx: &Ctx, s: &SessionRow) -> bool {
    ctx.store.now() - s.auth_time <= FRESH_LOGIN_SECS
}

/// Deletes the account of this session when its login is fresh and the confirmation was typed.
pub async fn delete_confirmed(
    ctx: &Ctx,
    s: &SessionRow,
    confirmation: Option<&str>,
    lang: Lang,
) -> Result<Deletion, StoreError> {
    if !is_fresh(ctx, s) {
        return Ok(Deletion::NotFresh);
    }
    let typed = confirmation.map(|c| c.trim().to_lowercase());
    if typed.as_deref() != Some(confirmation_word(lang).as_str()) {
        return Ok(Deletion::NotConfirmed);
    }
    delete(ctx, &s.account_id).await?;
    Ok(Deletion::Deleted)
}

/// Deletes the account: sessions first, then the row (and by cascade all that hangs on it).
pub async fn delete(app: &Ctx, account_id: &AccountId) -> Result<(), StoreError> {
    // Read before the row goes: the farewell is written in the person's language.
    let t = Tr::new(Lang::for_message(app.store.account_lang(account_id).await?));
    let contacts: Vec<Contact> = app
        .store
        .identifiers(account_id)
        .await?
        .into_iter()
        .filter(|i| i.verified_at.is_some())
        .filter_map(|i| Contact::parse(&i.value).ok())
        .collect();
    crate::authn::logout::end_all_sessions(app, account_id).await?;
    crate::orgs::members::forget_person(app, account_id).await?;
    app.store.delete_account(account_id).await?;
    app.store
        .append_audit(AuditEntry {
            actor: account_id,
            action: "account.delete",
            target: account_id,
            request_id: &crate::request_id::current(),
            details: serde_json::json!({}),
        })
        .await?;
    for c in contacts {
        app.notifier
            .send(
                &c,
                &t.s("notify.deleted_subject"),
                &t.s("notify.deleted_body"),
            )
            .await?;
    }
    Ok(())
}
