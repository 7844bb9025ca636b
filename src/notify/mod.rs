//! Notifications to people (SMS, e-mail). The outbox adapter stores messages in the database, where
//! development tools and tests read them as a person would read their phone. Never logs the body:
//! it carries codes.

use crate::identity::Contact;
use crate::store::{Store, StoreError};

#[derive(Clone, Debug)]
pub enum Notifier {
    Outbox(Store),
}

impl Notifier {
    pub async fn send(&self, to: &Contact, subject: &str, body: &str) -> Result<(), StoreError> {
        let channel = match to {
            Contact::Phone(_) => "sms",
            Contact::Email(_) => "email",
        };
        match self {
            Notifier::Outbox(store) => {
                store
                    .push_outbox(channel, to.value(), subject, body)
                    .await?;
                tracing::info!(channel, to = %to.masked(), subject, "notification queued in outbox");
                Ok(())
            }
        }
    }
}
