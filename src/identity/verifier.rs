//! The state-registry check behind the standard level (SNILS at СФР, passport at МВД).
//!
//! Two adapters of one trait, chosen by `identity.verifier`:
//! - `simulator`: deterministic, for development and tests. The outcome is chosen by the last two
//!   digits of the identity document number:
//!   `00` → rejected «Сведения о паспорте отсутствуют в базе данных МВД»;
//!   `01` → rejected «Паспорт недействителен»;
//!   `02` → rejected «СНИЛС не найден в базе данных Социального фонда России»;
//!   `03` → rejected «Сведения СНИЛС не совпадают с указанными ФИО и датой рождения»;
//!   `98` → the registry gateway is unreachable (a transport error: the job retries with backoff);
//!   `99` → the registry never answers (after `identity.no_answer_days` the check fails);
//!   anything else → verified.
//!   Records (driving licence, medical policy, vehicle, child) by the same digits of their number:
//!   `00` → rejected «Сведения не найдены в ведомстве»; `98` and `99` as above; else verified.
//! - `http`: POSTs the request as JSON to `identity.registry_url` (Authorization header from
//!   `identity.registry_auth`, timeout `identity.registry_timeout_secs`). The gateway answers
//!   200 `{"result": "verified" | "rejected" | "pending", "reason": "…"}`; 202 means pending; any other
//!   status or a transport error is retried by the job with backoff, and the check fails after
//!   `identity.registry_max_attempts` tries.

use crate::config::Identity as IdentityConfig;
use serde::{Deserialize, Serialize};
use std::future::Future;

/// What is sent to the registry: the person's name and birth date and the documents to check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRequest {
    pub check_id: String,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub birth_date: String,
    pub snils: String,
    /// `passport_rf` or `foreign_id`.
    pub document_kind: String,
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Verified,
    Rejected(String),
    /// The registry has not answered yet; ask again later.
    Pending,
}

pub const NO_MVD_RECORD: &str = "Сведения о паспорте отсутствуют в базе данных МВД";
pub const PASSPORT_INVALID: &str = "Паспорт недействителен";
pub const SNILS_NOT_FOUND: &str = "СНИЛС не найден в базе данных Социального фонда России";
pub const SNILS_MISMATCH: &str = "Сведения СНИЛС не совпадают с указанными ФИО и датой рождения";
pub const RECORD_NOT_FOUND: &str = "Сведения не найдены в ведомстве";

pub trait RegistryVerifier {
    /// Err is a transport failure worth retrying; the message never carries personal data.
    fn check(&self, req: &CheckRequest) -> impl Future<Output = Result<Answer, String>> + Send;
}

pub struct Simulator;

impl RegistryVerifier for Simulator {
    async fn check(&self, req: &CheckRequest) -> Result<Answer, String> {
        let number = req
            .document
            .get("number")
            .and_then(|n| n.as_str())
            .unwrap_or_default();
        let tail = &number[number.len().saturating_sub(2)..];
        let identity = matches!(req.document_kind.as_str(), "passport_rf" | "foreign_id");
        if !identity {
            // Records (licence, policy, vehicle, child): found, not found, or no answer.
            return match tail {
                "00" => Ok(Answer::Rejected(RECORD_NOT_FOUND.into())),
                "98" => Err("simulated registry gateway outage".into()),
                "99" => Ok(Answer::Pending),
                _ => Ok(Answer::Verified),
            };
        }
        Ok(match tail {
            "00" => Answer::Rejected(NO_MVD_RECORD.into()),
            "01" => Answer::Rejected(PASSPORT_INVALID.into()),
            "02" => Answer::Rejected(SNILS_NOT_FOUND.into()),
            "03" => Answer::Rejected(SNILS_MISMATCH.into()),
            "98" => return Err("simulated registry gateway outage".into()),
            "99" => Answer::Pending,
            _ => Answer::Verified,
        })
    }
}

pub struct HttpGateway {
    pub client: reqwest::Client,
    pub url: String,
    pub auth: String,
}

#[derive(Deserialize)]
struct GatewayAnswer {
    result: String,
    #[serde(default)]
    reason: Option<String>,
}

impl HttpGateway {
    pub fn new(c: &IdentityConfig) -> Result<HttpGateway, String> {
        // The gateway is the operator's; still, only an http(s) URL is ever posted to.
        match url::Url::parse(&c.registry_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(format!(
                    "identity.registry_url must be an http(s) URL, not {:?}",
                    c.registry_url
                ));
            }
        }
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(
                c.registry_timeout_secs.max(1),
            ))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpGateway {
            client,
            url: c.registry_url.clone(),
            auth: c.registry_auth.clone(),
        })
    }
}

impl RegistryVerifier for HttpGateway {
    async fn check(&self, req: &CheckRequest) -> Result<Answer, String> {
        let mut r = self.client.post(&self.url).json(req);
        if !self.auth.is_empty() {
            r = r.header(reqwest::header::AUTHORIZATION, &self.auth);
        }
        let res = r
            .send()
            .await
            .map_err(|e| format!("registry gateway unreachable: {}", e.without_url()))?;
        match res.status().as_u16() {
            202 => Ok(Answer::Pending),
            200 => {
                let a: GatewayAnswer = res
                    .json()
                    .await
                    .map_err(|e| format!("registry gateway answer unreadable: {e}"))?;
                match a.result.as_str() {
                    "verified" => Ok(Answer::Verified),
                    "pending" => Ok(Answer::Pending),
                    "rejected" => Ok(Answer::Rejected(
                        a.reason
                            .filter(|r| !r.trim().is_empty())
                            .unwrap_or_else(|| "Сведения не подтверждены ведомством".into()),
                    )),
                    other => Err(format!("registry gateway answered result={other}")),
                }
            }
            status => Err(format!("registry gateway answered HTTP {status}")),
        }
    }
}

/// The adapter the configuration names.
pub enum Verifier {
    Simulator(Simulator),
    Http(HttpGateway),
}

impl Verifier {
    pub fn from_config(c: &IdentityConfig) -> Result<Verifier, String> {
        match c.verifier.as_str() {
            "simulator" => Ok(Verifier::Simulator(Simulator)),
            "http" if c.registry_url.is_empty() => {
                Err("identity.verifier = \"http\" needs identity.registry_url".into())
            }
            "http" => Ok(Verifier::Http(HttpGateway::new(c)?)),
            other => Err(format!(
                "identity.verifier must be \"simulator\" or \"http\", not {other:?}"
            )),
        }
    }

    pub async fn check(&self, req: &CheckRequest) -> Result<Answer, String> {
        match self {
            Verifier::Simulator(s) => s.check(req).await,
            Verifier::Http(h) => h.check(req).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(number: &str) -> CheckRequest {
        CheckRequest {
            check_id: "c".into(),
            surname: "Иванов".into(),
            given_name: "Иван".into(),
            patronymic: None,
            birth_date: "1990-01-01".into(),
            snils: "11223344595".into(),
            document_kind: "passport_rf".into(),
            document: serde_json::json!({ "number": number }),
        }
    }

    #[tokio::test]
    async fn simulator_rules_give_every_outcome() {
        let s = Simulator;
        assert_eq!(s.check(&req("123456")).await, Ok(Answer::Verified));
        assert_eq!(
            s.check(&req("123400")).await,
            Ok(Answer::Rejected(NO_MVD_RECORD.into()))
        );
        assert_eq!(
            s.check(&req("123401")).await,
            Ok(Answer::Rejected(PASSPORT_INVALID.into()))
        );
        assert_eq!(
            s.check(&req("123402")).await,
            Ok(Answer::Rejected(SNILS_NOT_FOUND.into()))
        );
        assert_eq!(
            s.check(&req("123403")).await,
            Ok(Answer::Rejected(SNILS_MISMATCH.into()))
        );
        assert!(s.check(&req("123498")).await.is_err());
        assert_eq!(s.check(&req("123499")).await, Ok(Answer::Pending));
    }
}
