//! The push channel: codes and approvals to a messenger or the deployment's own app through a
//! messaging gateway, instead of SMS. Config `[push]` `mode`: "off"; "outbox" (the message is stored
//! in the database as channel "push", for development and tests); "http": a webhook — each message
//! becomes a durable job (so a gateway that is down gets it later, from any node) whose run POSTs
//!
//! ```json
//! {"id": "…", "account": "<account id>", "kind": "code" | "approval" | "notice",
//!  "subject": "…", "text": "…", "sent_at": 1733350000}
//! ```
//!
//! to `push.url` through the guarded outbound client (src/outbound.rs: the same address
//! rules as every URL vhod fetches), signed: `X-Vhod-Timestamp: <unix seconds>` and
//! `X-Vhod-Signature: sha256=<hex HMAC-SHA256(push.secret, "<timestamp>.<body>")>`, so the
//! gateway can check that the call is vhod's and fresh. Never logs the text (it carries codes).

use crate::outbound::Outbound;
use crate::store::{Store, StoreError};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// `[push]` in the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushConfig {
    /// "off", "outbox" (development) or "http" (the webhook).
    pub mode: String,
    pub url: String,
    /// The HMAC-SHA256 key that signs each webhook call (X-Vhod-Signature).
    pub secret: String,
    pub attempts: u32,
}

/// The job kind of one webhook delivery.
pub const JOB: &str = "push.deliver";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Push {
    Off,
    Outbox,
    Webhook { url: String, attempts: u32 },
}

/// One message to one person's device.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushMessage {
    pub id: String,
    pub account: String,
    pub kind: String,
    pub subject: String,
    pub text: String,
    pub sent_at: i64,
}

impl Push {
    pub fn from_config(c: &PushConfig) -> anyhow::Result<Push> {
        match c.mode.as_str() {
            "off" => Ok(Push::Off),
            "outbox" => Ok(Push::Outbox),
            "http" => {
                if c.url.is_empty() || c.secret.len() < 16 {
                    anyhow::bail!(
                        "push.mode = \"http\" needs push.url and a push.secret of 16+ characters"
                    );
                }
                url::Url::parse(&c.url).map_err(|e| anyhow::anyhow!("push.url {}: {e}", c.url))?;
                Ok(Push::Webhook {
                    url: c.url.clone(),
                    attempts: c.attempts.max(1),
                })
            }
            other => {
                anyhow::bail!("push.mode must be \"off\", \"outbox\" or \"http\", got {other:?}")
            }
        }
    }

    /// Whether people may choose push at all.
    pub fn is_available(&self) -> bool {
        *self != Push::Off
    }

    /// Hands `message` to the channel: stored in the outbox, or queued for the webhook.
    pub async fn send(&self, store: &Store, message: &PushMessage) -> Result<(), StoreError> {
        match self {
            Push::Off => Err(StoreError::Unavailable("the push channel is off".into())),
            Push::Outbox => {
                store
                    .push_outbox("push", &message.account, &message.subject, &message.text)
                    .await?;
                tracing::info!(channel = "push", kind = %message.kind, "notification queued in outbox");
                Ok(())
            }
            Push::Webhook { attempts, .. } => {
                let payload = serde_json::to_string(message).expect("messages serialise");
                store
                    .enqueue_job(JOB, &payload, i64::from(*attempts))
                    .await?;
                tracing::info!(channel = "push", kind = %message.kind, "push message queued");
                Ok(())
            }
        }
    }
}

/// `sha256=<hex>` over "<timestamp>.<body>".
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The job's run: one signed POST of the stored message; Err (retried by the queue) on any
/// refusal, address rule, network error or non-2xx answer.
pub async fn deliver(
    outbound: &Outbound,
    c: &PushConfig,
    payload: &str,
    now: i64,
) -> Result<(), String> {
    let message: PushMessage = serde_json::from_str(payload).map_err(|e| e.to_string())?;
    let body = serde_json::to_string(&message).expect("messages serialise");
    let headers = [
        ("X-Vhod-Timestamp", now.to_string()),
        ("X-Vhod-Signature", signature(&c.secret, now, &body)),
    ];
    outbound
        .post_json(&c.url, &body, &headers)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_and_body() {
        // Computed apart: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key-0123456789abcdef
        assert_eq!(
            signature("key-0123456789abcdef", 1_700_000_000, "{\"a\":1}"),
            "sha256=8a091117e0b1ccf5034d0d8c06ab42b29a4451a72f95b56f22afaf6bfb7af0d3"
        );
    }

    #[test]
    fn http_needs_a_url_and_a_long_enough_secret() {
        let mut c = crate::config::Config::defaults().push;
        assert_eq!(Push::from_config(&c).unwrap(), Push::Off);
        c.mode = "http".into();
        assert!(Push::from_config(&c).is_err());
        c.url = "https://gateway.example/push".into();
        c.secret = "short".into();
        assert!(Push::from_config(&c).is_err());
        c.secret = "0123456789abcdef".into();
        assert!(matches!(Push::from_config(&c), Ok(Push::Webhook { .. })));
        c.mode = "pigeon".into();
        assert!(Push::from_config(&c).is_err());
    }
}
