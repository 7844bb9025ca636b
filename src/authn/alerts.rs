//! After a successful login: the login history row, and (when the person asked for it) an alert by
//! e-mail and SMS about a device not seen before (user agent + IP never in a successful login).

use super::device;
use super::lockout::{self, Attempt};
use crate::ctx::Ctx;
use crate::identity::Contact;
use crate::lang::{Lang, Tr};
use crate::store::StoreError;
use crate::types::AccountId;

pub async fn login_succeeded(
    app: &Ctx,
    account_id: &AccountId,
    who: Attempt<'_>,
    method: &str,
) -> Result<(), StoreError> {
    let known = lockout::record_success(app, account_id, who, method).await?;
    if known {
        return Ok(());
    }
    let t = Tr::new(Lang::for_message(app.store.account_lang(account_id).await?));
    let device = device::describe(who.user_agent).unwrap_or_else(|| t.s("notify.unknown_device"));
    super::security_events::record(
        app,
        account_id,
        super::security_events::Kind::NewDevice,
        &format!("{device}, {}", who.ip),
    )
    .await?;
    if !app.store.security_choices(account_id).await?.login_alerts {
        return Ok(());
    }
    let body = t.f(
        "notify.new_device_body",
        &[("device", device.as_str().into()), ("ip", who.ip.into())],
    );
    let subject = t.s("notify.new_device_subject");
    for id in app.store.identifiers(account_id).await? {
        if id.verified_at.is_some()
            && let Ok(contact) = Contact::parse(&id.value)
        {
            app.notifier.send(&contact, &subject, &body).await?;
        }
    }
    tracing::info!(account = %account_id, "new-device login alert sent");
    Ok(())
}
