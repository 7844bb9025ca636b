//! HTTP SMS gateway adapter: POSTs `{"to", "text", "sender"}` as JSON to a configured URL with a
//! configured Authorization header; retries network errors, timeouts and 5xx answers with a short
//! backoff; a 4xx answer is final. Never logs the text (it carries codes).

use crate::config::Notify;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct SmsGateway {
    http: reqwest::Client,
    url: String,
    auth_header: String,
    sender: String,
    retries: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("SMS gateway refused the message with HTTP {0}")]
    Refused(u16),
    #[error("SMS gateway unreachable after {attempts} attempts: {last}")]
    Unreachable { attempts: u32, last: String },
}

impl SmsGateway {
    pub fn new(c: &Notify) -> anyhow::Result<SmsGateway> {
        if c.sms_url.is_empty() {
            anyhow::bail!("notify.sms = \"http\" needs notify.sms_url");
        }
        let url = url::Url::parse(&c.sms_url)
            .map_err(|e| anyhow::anyhow!("notify.sms_url {}: {e}", c.sms_url))?;
        if !matches!(url.scheme(), "http" | "https") {
            anyhow::bail!("notify.sms_url must be an http(s) URL, not {}", c.sms_url);
        }
        Ok(SmsGateway {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_millis(c.sms_timeout_ms.max(1)))
                .build()?,
            url: c.sms_url.clone(),
            auth_header: c.sms_auth_header.clone(),
            sender: c.sms_sender.clone(),
            retries: c.sms_retries,
        })
    }

    pub async fn send(&self, to: &str, text: &str) -> Result<(), GatewayError> {
        let body = serde_json::json!({ "to": to, "text": text, "sender": self.sender });
        let attempts = self.retries + 1;
        let mut last = String::new();
        for attempt in 1..=attempts {
            let mut req = self.http.post(&self.url).json(&body);
            if !self.auth_header.is_empty() {
                req = req.header(reqwest::header::AUTHORIZATION, &self.auth_header);
            }
            match req.send().await {
                Ok(res) if res.status().is_success() => return Ok(()),
                Ok(res) if res.status().is_client_error() => {
                    return Err(GatewayError::Refused(res.status().as_u16()));
                }
                Ok(res) => last = format!("HTTP {}", res.status().as_u16()),
                Err(e) => {
                    last = if e.is_timeout() {
                        "timeout".into()
                    } else {
                        e.to_string()
                    }
                }
            }
            tracing::warn!(attempt, attempts, reason = %last, "SMS gateway attempt failed");
            if attempt < attempts {
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
        }
        Err(GatewayError::Unreachable { attempts, last })
    }
}
