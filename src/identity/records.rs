//! Further records of a standard-level person (REQUIREMENTS §5, 001:56-63): INN, driving licence,
//! medical policy, vehicles, children. Each goes through the same durable registry check as the identity
//! documents (ГИБДД, ФОМС, ЗАГС stand behind the verifier) and reaches portals only once verified.

use crate::ctx::Ctx;
use crate::identity::levels::LevelError;
use crate::identity::names::normalise_name;
use crate::identity::validation::{Inn, Passport};
use crate::store::StoreError;
use crate::types::AccountId;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub enum Record {
    DriversLicence {
        series: String,
        number: String,
        issued: String,
        expires: String,
    },
    MedicalPolicy {
        number: String,
    },
    /// The taxpayer number (ИНН) of a person: 12 digits with their check digits.
    Inn {
        number: String,
    },
    Vehicle {
        name: String,
        plate: String,
        reg_cert: String,
    },
    Child {
        surname: String,
        given_name: String,
        birth_date: String,
        birth_cert: String,
    },
}

/// Which field of the form is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadField(pub &'static str);

fn is_date(s: &str) -> bool {
    Passport::parse("0000", "000000", s, "000-000").is_ok()
}

fn digits(s: &str, n: usize) -> Option<String> {
    let d: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (d.len() == n && d.chars().all(|c| c.is_ascii_digit())).then_some(d)
}

/// Russian plates: a letter, three digits, two letters, a 2–3 digit region; letters that exist in
/// both alphabets (А В Е К М Н О Р С Т У Х), typed in either.
fn plate(s: &str) -> Option<String> {
    const LAT: &str = "ABEKMHOPCTYX";
    const CYR: &str = "АВЕКМНОРСТУХ";
    let p: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .map(|c| match LAT.chars().position(|l| l == c) {
            Some(i) => CYR.chars().nth(i).unwrap_or(c),
            None => c,
        })
        .collect();
    let cs: Vec<char> = p.chars().collect();
    let letter = |c: &char| CYR.contains(*c);
    let ok = (cs.len() == 8 || cs.len() == 9)
        && letter(&cs[0])
        && cs[1..4].iter().all(char::is_ascii_digit)
        && cs[4..6].iter().all(letter)
        && cs[6..].iter().all(char::is_ascii_digit);
    ok.then_some(p)
}

impl Record {
    /// Reads the form; `kind` is drivers_licence | medical_policy | vehicle | child.
    pub fn parse(kind: &str, get: &dyn Fn(&str) -> String) -> Result<Record, BadField> {
        match kind {
            "drivers_licence" => {
                let series = digits(&get("series"), 4).ok_or(BadField("series"))?;
                let number = digits(&get("number"), 6).ok_or(BadField("number"))?;
                let (issued, expires) = (get("issued"), get("expires"));
                if !is_date(&issued) || !is_date(&expires) || expires <= issued {
                    return Err(BadField("date"));
                }
                Ok(Record::DriversLicence {
                    series,
                    number,
                    issued,
                    expires,
                })
            }
            "inn" => {
                let inn: Inn = get("number").parse().map_err(|_| BadField("number"))?;
                if !inn.is_personal() {
                    return Err(BadField("number"));
                }
                Ok(Record::Inn {
                    number: inn.as_str().to_string(),
                })
            }
            "medical_policy" => Ok(Record::MedicalPolicy {
                number: digits(&get("number"), 16).ok_or(BadField("number"))?,
            }),
            "vehicle" => {
                let name = get("name");
                if name.is_empty() || name.chars().count() > 100 {
                    return Err(BadField("name"));
                }
                Ok(Record::Vehicle {
                    name,
                    plate: plate(&get("plate")).ok_or(BadField("plate"))?,
                    reg_cert: digits(&get("reg_cert"), 10).ok_or(BadField("reg_cert"))?,
                })
            }
            "child" => {
                let surname = normalise_name(&get("surname")).map_err(|_| BadField("name"))?;
                let given_name =
                    normalise_name(&get("given_name")).map_err(|_| BadField("name"))?;
                let birth_date = get("birth_date");
                if !is_date(&birth_date) {
                    return Err(BadField("date"));
                }
                let birth_cert = get("birth_cert");
                if birth_cert.is_empty() || birth_cert.chars().count() > 20 {
                    return Err(BadField("number"));
                }
                Ok(Record::Child {
                    surname,
                    given_name,
                    birth_date,
                    birth_cert,
                })
            }
            _ => Err(BadField("kind")),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Record::DriversLicence { .. } => "drivers_licence",
            Record::MedicalPolicy { .. } => "medical_policy",
            Record::Inn { .. } => "inn",
            Record::Vehicle { .. } => "vehicle",
            Record::Child { .. } => "child",
        }
    }

    /// Stored fields; `number` is what the registry looks the record up by.
    pub fn fields(&self) -> Value {
        match self {
            Record::DriversLicence {
                series,
                number,
                issued,
                expires,
            } => {
                json!({ "series": series, "number": number, "issued": issued, "expires": expires })
            }
            Record::MedicalPolicy { number } | Record::Inn { number } => {
                json!({ "number": number })
            }
            Record::Vehicle {
                name,
                plate,
                reg_cert,
            } => json!({ "name": name, "plate": plate, "number": reg_cert }),
            Record::Child {
                surname,
                given_name,
                birth_date,
                birth_cert,
            } => {
                json!({ "surname": surname, "given_name": given_name, "birth_date": birth_date, "number": birth_cert })
            }
        }
    }
}

/// Starts the registry check of a record; only a standard or confirmed person may add records.
pub async fn submit(
    app: &Ctx,
    account_id: &AccountId,
    record: &Record,
) -> Result<String, LevelError> {
    let level = app
        .store
        .account(account_id)
        .await?
        .map(|a| a.level)
        .unwrap_or_default();
    if crate::types::Level::of(&level) < crate::types::Level::Standard {
        return Err(LevelError::WrongLevel);
    }
    match app
        .store
        .submit_documents(
            account_id,
            &[(record.kind(), record.fields())],
            app.config.identity.registry_max_attempts,
        )
        .await
    {
        Ok(id) => Ok(id),
        Err(StoreError::Conflict) => Err(LevelError::CheckRunning),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_accept_either_alphabet_and_refuse_other_shapes() {
        assert_eq!(plate("a 123 bc 77").as_deref(), Some("А123ВС77"));
        assert_eq!(plate("А123ВС777").as_deref(), Some("А123ВС777"));
        assert_eq!(plate("Ж123ВС77"), None);
        assert_eq!(plate("А12ВС77"), None);
    }

    #[test]
    fn a_licence_must_expire_after_it_was_issued() {
        let form = |k: &str| {
            match k {
                "series" => "99 01",
                "number" => "123456",
                "issued" => "2020-01-01",
                "expires" => "2019-01-01",
                _ => "",
            }
            .to_string()
        };
        assert_eq!(
            Record::parse("drivers_licence", &form).unwrap_err(),
            BadField("date")
        );
    }
}
