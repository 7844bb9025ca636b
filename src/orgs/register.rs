//! The legal-entity register check (ЕГРЮЛ for legal entities, ЕГРИП for sole traders) behind
//! creating an organisation, as one synchronous question: the same two adapters as the person
//! registry (`identity::verifier`), chosen by the same `identity.verifier` setting.
//! - `simulator`: deterministic by the two digits before the OGRN's (OGRNIP's) check digit:
//!   `00` → rejected «Организация не найдена в ЕГРЮЛ» (ЕГРИП for a sole trader);
//!   `01` → rejected «ИНН не соответствует ОГРН по данным реестра»;
//!   `98` → the gateway is unreachable; `99` → no answer yet; anything else → found, with the KPP
//!   of a legal entity = the INN's first four digits + `01001`.
//! - `http`: POSTs `{"check_id", "register": "egrul"|"egrip", "ogrn", "inn", "name"}` to
//!   `identity.registry_url` (same Authorization and timeout); the gateway answers 200
//!   `{"result": "verified"|"rejected"|"pending", "reason": "…", "kpp": "…", "full_name": "…"}`.

use crate::ctx::Ctx;
use crate::identity::verifier::HttpGateway;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct OrgCheck {
    pub check_id: String,
    /// `egrul` or `egrip`.
    pub register: &'static str,
    pub ogrn: String,
    pub inn: String,
    pub name: String,
}

/// What the register said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgAnswer {
    Found {
        kpp: String,
        /// The full name as the register holds it, when it says.
        full_name: Option<String>,
    },
    Rejected(String),
    Pending,
}

pub const NOT_FOUND_EGRUL: &str = "Организация не найдена в ЕГРЮЛ";
pub const NOT_FOUND_EGRIP: &str = "Индивидуальный предприниматель не найден в ЕГРИП";
pub const INN_MISMATCH: &str = "ИНН не соответствует ОГРН по данным реестра";

/// Asks the configured register. Err is a transport failure (never carries the request's data).
pub async fn check(ctx: &Ctx, req: &OrgCheck) -> Result<OrgAnswer, String> {
    match ctx.config.identity.verifier.as_str() {
        "http" => ask_gateway(ctx, req).await,
        _ => simulate(req),
    }
}

fn simulate(req: &OrgCheck) -> Result<OrgAnswer, String> {
    let n = req.ogrn.len();
    let rule = req.ogrn.get(n.saturating_sub(3)..n.saturating_sub(1));
    Ok(match rule.unwrap_or_default() {
        "00" if req.register == "egrip" => OrgAnswer::Rejected(NOT_FOUND_EGRIP.into()),
        "00" => OrgAnswer::Rejected(NOT_FOUND_EGRUL.into()),
        "01" => OrgAnswer::Rejected(INN_MISMATCH.into()),
        "98" => return Err("simulated registry gateway outage".into()),
        "99" => OrgAnswer::Pending,
        _ if req.register == "egrip" => OrgAnswer::Found {
            kpp: String::new(),
            full_name: None,
        },
        _ => OrgAnswer::Found {
            kpp: format!("{}01001", req.inn.get(..4).unwrap_or("0000")),
            full_name: None,
        },
    })
}

#[derive(Deserialize)]
struct GatewayAnswer {
    result: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    kpp: Option<String>,
    #[serde(default)]
    full_name: Option<String>,
}

async fn ask_gateway(ctx: &Ctx, req: &OrgCheck) -> Result<OrgAnswer, String> {
    let gw = HttpGateway::new(&ctx.config.identity)?;
    let mut r = gw.client.post(&gw.url).json(req);
    if !gw.auth.is_empty() {
        r = r.header(reqwest::header::AUTHORIZATION, &gw.auth);
    }
    let res = r
        .send()
        .await
        .map_err(|e| format!("registry gateway unreachable: {}", e.without_url()))?;
    match res.status().as_u16() {
        202 => Ok(OrgAnswer::Pending),
        200 => {
            let a: GatewayAnswer = res
                .json()
                .await
                .map_err(|e| format!("registry gateway answer unreadable: {e}"))?;
            match a.result.as_str() {
                "verified" => Ok(OrgAnswer::Found {
                    kpp: a
                        .kpp
                        .filter(|k| k.parse::<crate::types::validation::Kpp>().is_ok())
                        .unwrap_or_default(),
                    full_name: a.full_name.filter(|n| !n.trim().is_empty()),
                }),
                "pending" => Ok(OrgAnswer::Pending),
                "rejected" => Ok(OrgAnswer::Rejected(
                    a.reason
                        .filter(|r| !r.trim().is_empty())
                        .unwrap_or_else(|| "Сведения не подтверждены реестром".into()),
                )),
                other => Err(format!("registry gateway answered result={other}")),
            }
        }
        status => Err(format!("registry gateway answered HTTP {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(ogrn: &str, register: &'static str) -> OrgCheck {
        OrgCheck {
            check_id: "c".into(),
            register,
            ogrn: ogrn.into(),
            inn: "7707083893".into(),
            name: "ПАО Тест".into(),
        }
    }

    #[test]
    fn simulator_rules_give_every_outcome() {
        let found = OrgAnswer::Found {
            kpp: "770701001".into(),
            full_name: None,
        };
        assert_eq!(simulate(&req("1027700132195", "egrul")), Ok(found));
        assert_eq!(
            simulate(&req("1027700132005", "egrul")),
            Ok(OrgAnswer::Rejected(NOT_FOUND_EGRUL.into()))
        );
        assert_eq!(
            simulate(&req("304500116000007", "egrip")),
            Ok(OrgAnswer::Rejected(NOT_FOUND_EGRIP.into()))
        );
        assert_eq!(
            simulate(&req("1027700132015", "egrul")),
            Ok(OrgAnswer::Rejected(INN_MISMATCH.into()))
        );
        assert!(simulate(&req("1027700132985", "egrul")).is_err());
        assert_eq!(
            simulate(&req("1027700132995", "egrul")),
            Ok(OrgAnswer::Pending)
        );
    }
}
