//! Notifications to people (SMS, e-mail). The outbox adapter stores messages in the database, where
//! development tools and tests read them as a person would read their phone; the HTTP gateway
//! adapter (config `notify.sms = "http"`) delivers SMS; with `email.transport = "smtp"` e-mail
//! goes through the job table to an SMTP relay (`smtp.rs`). Never logs the body: it carries codes.

pub mod push;
pub mod sms_http;
pub mod smtp;

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
    /// E-mail queued for the SMTP relay; everything else as `inner` does it.
    WithSmtp {
        inner: Box<Notifier>,
        store: Store,
        smtp: smtp::Smtp,
    },
}

impl Notifier {
    /// The adapter the configuration names.
    pub fn from_config(config: &crate::config::Config, store: Store) -> anyhow::Result<Notifier> {
        let inner = Self::sms_from_config(config, store.clone())?;
        match config.email.transport.as_str() {
            "outbox" => Ok(inner),
            "smtp" => Ok(Notifier::WithSmtp {
                inner: Box::new(inner),
                store,
                smtp: smtp::Smtp::new(&config.email)?,
            }),
            other => anyhow::bail!("email.transport must be \"outbox\" or \"smtp\", got {other:?}"),
        }
    }

    /// The SMTP relay, when e-mail goes over SMTP (the worker delivers through it).
    pub fn smtp(&self) -> Option<&smtp::Smtp> {
        match self {
            Notifier::WithSmtp { smtp, .. } => Some(smtp),
            _ => None,
        }
    }

    fn sms_from_config(config: &crate::config::Config, store: Store) -> anyhow::Result<Notifier> {
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
            (Notifier::WithSmtp { store, smtp, .. }, Contact::Email(_)) => {
                smtp.queue(store, to.value(), subject, body).await?;
                tracing::info!(channel, to = %to.masked(), subject, "e-mail queued for the SMTP relay");
                Ok(())
            }
            (Notifier::WithSmtp { inner, .. }, _) => Box::pin(inner.send(to, subject, body)).await,
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
