//! E-mail over SMTP (lettre over rustls). A message is not sent while the request waits: it is put
//! in the durable job table (`store::jobs`, kind [`EMAIL_JOB`]) and the worker of some node hands it
//! to the relay, retrying with the worker's backoff while the relay is down, so a message is not
//! lost when the relay or this node goes away. Once delivered, the stored copy of the body (it
//! carries codes) is erased. Never logs a body, only the masked address and the subject.

use crate::store::{Store, StoreError};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The job kind of one e-mail waiting for the relay.
pub const EMAIL_JOB: &str = "email";

/// `[email]`: where e-mail goes. `transport = "outbox"` (the default: stored in the database for
/// development tools and tests) or `"smtp"` (the relay below).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub transport: String,
    pub host: String,
    pub port: u16,
    /// "none" (plain, for a relay on the same host), "starttls" (587) or "tls" (implicit, 465).
    pub security: String,
    /// A PEM file of the CA certificate(s) the relay's certificate must chain to, instead of the
    /// public roots (a relay with a certificate of the operator's own CA). Empty: public roots.
    pub ca_file: String,
    pub user: String,
    pub password: String,
    /// The From of every message, e.g. `Госуслуги вход <noreply@example.ru>`.
    pub from: String,
    pub timeout_secs: u64,
    /// Attempts before a message is given up (the worker's backoff doubles from 10 s).
    pub max_attempts: i64,
}

/// TLS that trusts only the CA certificates of `email.ca_file` (None: the public roots).
fn own_ca(config: &EmailConfig) -> anyhow::Result<Option<TlsParameters>> {
    if config.ca_file.is_empty() {
        return Ok(None);
    }
    let pem = std::fs::read(&config.ca_file)
        .map_err(|e| anyhow::anyhow!("email.ca_file {}: {e}", config.ca_file))?;
    anyhow::ensure!(
        String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----"),
        "email.ca_file {} holds no PEM certificate",
        config.ca_file
    );
    let ca = Certificate::from_pem(&pem)
        .map_err(|e| anyhow::anyhow!("email.ca_file {}: {e}", config.ca_file))?;
    let tls = TlsParameters::builder(config.host.clone())
        .certificate_store(CertificateStore::None)
        .add_root_certificate(ca)
        .build_rustls()
        .map_err(|e| anyhow::anyhow!("email.ca_file {}: {e}", config.ca_file))?;
    Ok(Some(tls))
}

/// The relay, ready to send.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    max_attempts: i64,
    relay: String,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("relay", &self.relay)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

/// One queued message (the job's payload).
#[derive(Serialize, Deserialize)]
struct Queued {
    to: String,
    subject: String,
    body: String,
}

impl Smtp {
    /// The relay `config` names (checked here, at start, so a typo stops the node instead of
    /// losing mail later).
    pub fn new(config: &EmailConfig) -> anyhow::Result<Smtp> {
        anyhow::ensure!(!config.host.is_empty(), "email.host is required for SMTP");
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("email.from is not a mailbox: {e}"))?;
        let builder = match config.security.as_str() {
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            "starttls" => {
                let b = AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?;
                match own_ca(config)? {
                    Some(tls) => b.tls(Tls::Required(tls)),
                    None => b,
                }
            }
            "tls" => {
                let b = AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?;
                match own_ca(config)? {
                    Some(tls) => b.tls(Tls::Wrapper(tls)),
                    None => b,
                }
            }
            other => anyhow::bail!("email.security must be none, starttls or tls, got {other:?}"),
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(Duration::from_secs(config.timeout_secs.max(1))));
        if !config.user.is_empty() {
            builder = builder.credentials(Credentials::new(
                config.user.clone(),
                config.password.clone(),
            ));
        }
        Ok(Smtp {
            transport: builder.build(),
            from,
            max_attempts: config.max_attempts.max(1),
            relay: format!("{}:{} ({})", config.host, config.port, config.security),
        })
    }

    /// Puts one message in the job table; the worker delivers it.
    pub async fn queue(
        &self,
        store: &Store,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        let payload = serde_json::to_string(&Queued {
            to: to.into(),
            subject: subject.into(),
            body: body.into(),
        })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        store
            .enqueue_job(EMAIL_JOB, &payload, self.max_attempts)
            .await?;
        Ok(())
    }

    /// Hands the queued message of `payload` to the relay (an error: the worker retries later).
    pub async fn deliver(&self, payload: &str) -> Result<(), String> {
        let q: Queued = serde_json::from_str(payload).map_err(|e| e.to_string())?;
        let to: Mailbox =
            q.to.parse()
                .map_err(|e| format!("the recipient is not a mailbox: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(q.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(q.body)
            .map_err(|e| e.to_string())?;
        match self.transport.send(message).await {
            Ok(_) => {
                crate::metrics::email_delivery("sent");
                Ok(())
            }
            Err(e) => {
                crate::metrics::email_delivery("failed");
                Err(format!("SMTP relay {}: {e}", self.relay))
            }
        }
    }
}
