//! After a successful login: the login history row, and (when the person asked for it) an alert by
//! e-mail and SMS about a device not seen before (user agent + IP never in a successful login).

use super::device;
use super::lockout::{self, Attempt};
use crate::ctx::Ctx;
use crate::identity::Contact;
use crate::store::StoreError;
use crate::types::AccountId;

const SUBJECT: &str = "Вход с нового устройства";

pub async fn login_succeeded(
    app: &Ctx,
    account_id: &AccountId,
    who: Attempt<'_>,
    method: &str,
) -> Result<(), StoreError> {
    let known = app
        .store
        .is_known_device(account_id, who.user_agent, who.ip)
        .await?;
    lockout::record(app, Some(account_id), who, method, "success").await?;
    if known || !app.store.security_choices(account_id).await?.login_alerts {
        return Ok(());
    }
    let body = format!(
        "Выполнен вход в вашу учётную запись с нового устройства: {}, IP {}. \
         Если это были не вы, смените пароль и завершите другие сеансы в разделе «Безопасность».",
        device::describe(who.user_agent).unwrap_or_else(|| "неизвестное устройство".into()),
        who.ip
    );
    for id in app.store.identifiers(account_id).await? {
        if id.verified_at.is_some()
            && let Ok(contact) = Contact::parse(&id.value)
        {
            app.notifier.send(&contact, SUBJECT, &body).await?;
        }
    }
    tracing::info!(account = %account_id, "new-device login alert sent");
    Ok(())
}
