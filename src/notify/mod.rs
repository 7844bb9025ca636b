//! Notifications to people (SMS, e-mail). The outbox adapter stores messages in the database, where
//! development tools and tests read them as a person would read their phone; the HTTP gateway
//! adapter (config `notify.sms = "http"`) delivers SMS. Never logs the body: it carries codes.

pub mod push;
pub mod sms_http;

use crate::store::{Store, StoreError};
use crate::types::Contact;
use sms_http::SmsGateway;

#[derive(Clone, Debug)]
pub enum Notifier {
    Outbox(Store),
    /// SMS through the HTTP gateway; e-mail still to the outbox.
    SmsGateway {
        outbox: Store,
        gateway: SmsGateway,
    },
}

impl Notifier {
    /// The adapter the configuration names.
    pub fn from_config(config: &crate::config::Config, store: Store) -> anyhow::Result<Notifier> {
        match config.notify.sms.as_str() {
            "outbox" => Ok(Notifier::Outbox(store)),
            "http" => Ok(Notifier::SmsGateway {
                outbox: store,
                gateway: SmsGateway::new(&config.notify)?,
            }),
            other => anyhow::bail!("notify.sms must be \"outbox\" or \"http\", got {other:?}"),
        }
    }

    pub async fn send(&self, to: &Contact, subject: &str, body: &str) -> Result<(), StoreError> {
        let channel = match to {
            Contact::Phone(_) => "sms",
            Contact::Email(_) => "email",
        };
        match (self, to) {
            (Notifier::SmsGateway { gateway, .. }, Contact::Phone(phone)) => {
                gateway
                    .send(phone.as_str(), body)
                    .await
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                tracing::info!(channel, to = %to.masked(), subject, "SMS handed to the gateway");
                Ok(())
            }
            (Notifier::Outbox(store), _) | (Notifier::SmsGateway { outbox: store, .. }, _) => {
                store
                    .push_outbox(channel, to.value(), subject, body)
                    .await?;
                tracing::info!(channel, to = %to.masked(), subject, "notification queued in outbox");
                Ok(())
            }
        }
    }
}
