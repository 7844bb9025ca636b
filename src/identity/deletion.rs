//! Deleting an account (REQUIREMENTS §5, 001:320): after a fresh login and an explicit confirmation
//! «безвозвратно». Every session ends (portals get back-channel logout), then the account row goes
//! and with it, by cascade, identifiers (free to register again), credentials, grants with their
//! refresh tokens (access tokens die with their grant), consents, documents, level history, letters
//! and the feed. The audit log keeps only the account id.

use crate::ctx::Ctx;
use crate::identity::Contact;
use crate::store::StoreError;
use crate::store::audit::AuditEntry;

pub async fn delete(app: &Ctx, account_id: &str) -> Result<(), StoreError> {
    let contacts: Vec<Contact> = app
        .store
        .identifiers(account_id)
        .await?
        .into_iter()
        .filter(|i| i.verified_at.is_some())
        .filter_map(|i| Contact::parse(&i.value).ok())
        .collect();
    crate::authn::logout::end_all_sessions(app, account_id).await?;
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
                "vhod: учётная запись удалена",
                "Ваша учётная запись удалена безвозвратно вместе с персональными данными и разрешениями порталов.",
            )
            .await?;
    }
    Ok(())
}
