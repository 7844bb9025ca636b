//! Russian identifiers, validated once at the edge (REQUIREMENTS §8): SNILS, INN (10 and 12),
//! OGRN, OGRNIP, KPP, passport. Each type can only hold a valid value.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("wrong length or characters")]
    Format,
    #[error("check digits do not match")]
    Checksum,
    #[error("date is not a real calendar date (YYYY-MM-DD)")]
    Date,
}

/// Digits of `input` after removing spaces and dashes; everything else is a format error.
fn digits(input: &str, len: usize) -> Result<Vec<u32>, IdError> {
    let cleaned: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
        .collect();
    if cleaned.len() != len || !cleaned.chars().all(|c| c.is_ascii_digit()) {
        return Err(IdError::Format);
    }
    Ok(cleaned
        .chars()
        .map(|c| c.to_digit(10).expect("checked"))
        .collect())
}

fn weighted(d: &[u32], weights: &[u32]) -> u32 {
    d.iter().zip(weights).map(|(a, b)| a * b).sum()
}

/// СНИЛС: 11 digits, shown `XXX-XXX-XXX YY`. Numbers up to 001-001-998 predate the checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snils(String);

impl FromStr for Snils {
    type Err = IdError;
    fn from_str(input: &str) -> Result<Snils, IdError> {
        let d = digits(input, 11)?;
        let number: u64 = d[..9].iter().fold(0, |n, x| n * 10 + u64::from(*x));
        if number > 1_001_998 {
            let sum = weighted(&d[..9], &[9, 8, 7, 6, 5, 4, 3, 2, 1]);
            let check = match sum {
                s if s < 100 => s,
                100 | 101 => 0,
                s => match s % 101 {
                    100 => 0,
                    r => r,
                },
            };
            if check != d[9] * 10 + d[10] {
                return Err(IdError::Checksum);
            }
        }
        Ok(Snils(
            d.iter()
                .map(|x| char::from_digit(*x, 10).expect("digit"))
                .collect(),
        ))
    }
}

impl Snils {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Snils {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{}-{}-{} {}", &s[..3], &s[3..6], &s[6..9], &s[9..])
    }
}

/// ИНН: 10 digits (organisations) or 12 (people and sole traders).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inn(String);

impl FromStr for Inn {
    type Err = IdError;
    fn from_str(input: &str) -> Result<Inn, IdError> {
        let trimmed = input.trim();
        let d = match trimmed.len() {
            10 => digits(trimmed, 10)?,
            12 => digits(trimmed, 12)?,
            _ => return Err(IdError::Format),
        };
        let ok = if d.len() == 10 {
            weighted(&d, &[2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10 == d[9]
        } else {
            weighted(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10 == d[10]
                && weighted(&d, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10 == d[11]
        };
        if !ok {
            return Err(IdError::Checksum);
        }
        Ok(Inn(trimmed.to_string()))
    }
}

impl Inn {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_personal(&self) -> bool {
        self.0.len() == 12
    }
}

/// The check digit of ОГРН/ОГРНИП: the last digit of (the number without it) mod `m`.
fn mod_check(d: &[u32], m: u64) -> bool {
    let (body, last) = d.split_at(d.len() - 1);
    let n: u64 = body.iter().fold(0, |n, x| n * 10 + u64::from(*x));
    n % m % 10 == u64::from(last[0])
}

/// ОГРН: 13 digits, check = (first 12 mod 11) mod 10.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ogrn(String);

impl FromStr for Ogrn {
    type Err = IdError;
    fn from_str(input: &str) -> Result<Ogrn, IdError> {
        let d = digits(input.trim(), 13)?;
        if !mod_check(&d, 11) {
            return Err(IdError::Checksum);
        }
        Ok(Ogrn(input.trim().to_string()))
    }
}

/// ОГРНИП: 15 digits, check = last digit of (first 14 mod 13) — remainders 10, 11, 12 give 0, 1, 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ogrnip(String);

impl FromStr for Ogrnip {
    type Err = IdError;
    fn from_str(input: &str) -> Result<Ogrnip, IdError> {
        let d = digits(input.trim(), 15)?;
        if !mod_check(&d, 13) {
            return Err(IdError::Checksum);
        }
        Ok(Ogrnip(input.trim().to_string()))
    }
}

/// КПП: `^\d{4}[\dA-Z]{2}\d{3}$`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kpp(String);

impl FromStr for Kpp {
    type Err = IdError;
    fn from_str(input: &str) -> Result<Kpp, IdError> {
        let s = input.trim();
        let b = s.as_bytes();
        let ok = b.len() == 9
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4..6]
                .iter()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            && b[6..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(Kpp(s.to_string()))
        } else {
            Err(IdError::Format)
        }
    }
}

/// A Russian internal passport: series (4 digits), number (6), issue date, issuer code `NNN-NNN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passport {
    pub series: String,
    pub number: String,
    pub issued: String,
    pub issuer_code: String,
}

impl Passport {
    pub fn parse(
        series: &str,
        number: &str,
        issued: &str,
        issuer_code: &str,
    ) -> Result<Passport, IdError> {
        let series: String = digits(series, 4)?
            .iter()
            .map(|d| char::from_digit(*d, 10).expect("digit"))
            .collect();
        let number: String = digits(number, 6)?
            .iter()
            .map(|d| char::from_digit(*d, 10).expect("digit"))
            .collect();
        let code = issuer_code.trim();
        let cb = code.as_bytes();
        if !(cb.len() == 7
            && cb[3] == b'-'
            && cb[..3].iter().chain(&cb[4..]).all(u8::is_ascii_digit))
        {
            return Err(IdError::Format);
        }
        let issued = issued.trim();
        if !is_calendar_date(issued) {
            return Err(IdError::Date);
        }
        Ok(Passport {
            series,
            number,
            issued: issued.to_string(),
            issuer_code: code.to_string(),
        })
    }
}

fn is_calendar_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts[..] else { return false };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    s.len() == 10 && (1900..=2100).contains(&y) && (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snils_published_vectors_and_the_old_number_exemption() {
        for ok in [
            "112-233-445 95",
            "010-242-368 77",
            "11223344595",
            "000-000-600 06",
        ] {
            assert!(ok.parse::<Snils>().is_ok(), "{ok}");
        }
        assert_eq!(
            "11223344595".parse::<Snils>().unwrap().to_string(),
            "112-233-445 95"
        );
        assert_eq!("112-233-445 96".parse::<Snils>(), Err(IdError::Checksum));
        assert_eq!(
            "001-001-999 00".parse::<Snils>(),
            Err(IdError::Checksum),
            "above the exemption"
        );
        assert!(
            "001-001-998 99".parse::<Snils>().is_ok(),
            "at the exemption limit anything goes"
        );
        assert_eq!("112-233-445".parse::<Snils>(), Err(IdError::Format));
        assert_eq!("112-233-445 9a".parse::<Snils>(), Err(IdError::Format));
    }

    #[test]
    fn snils_check_sums_100_and_101_and_the_mod_101_rule() {
        // Build numbers whose weighted sums hit each branch and check the computed digits.
        let make = |first9: &str| -> String {
            let d: Vec<u32> = first9.chars().map(|c| c.to_digit(10).unwrap()).collect();
            let sum = weighted(&d, &[9, 8, 7, 6, 5, 4, 3, 2, 1]);
            let check = if sum < 100 {
                sum
            } else if sum <= 101 {
                0
            } else {
                (sum % 101) % 100
            };
            format!("{first9}{check:02}")
        };
        for first9 in ["100000000", "999999999", "123456789", "500000005"] {
            let s = make(first9);
            assert!(s.parse::<Snils>().is_ok(), "{s}");
        }
    }

    #[test]
    fn inn_10_and_12_vectors() {
        for ok in ["7710474375", "7707049388", "585204118212", "123456789047"] {
            assert!(ok.parse::<Inn>().is_ok(), "{ok}");
        }
        assert!("585204118212".parse::<Inn>().unwrap().is_personal());
        assert_eq!("7710474376".parse::<Inn>(), Err(IdError::Checksum));
        assert_eq!("585204118213".parse::<Inn>(), Err(IdError::Checksum));
        assert_eq!("77104743".parse::<Inn>(), Err(IdError::Format));
    }

    #[test]
    fn ogrn_and_ogrnip_vectors_including_remainders_above_ten() {
        assert!("1047702026701".parse::<Ogrn>().is_ok());
        assert!("1027700198767".parse::<Ogrn>().is_ok());
        assert_eq!("1047702026702".parse::<Ogrn>(), Err(IdError::Checksum));
        assert!("319290100017299".parse::<Ogrnip>().is_ok());
        assert_eq!("319290100017298".parse::<Ogrnip>(), Err(IdError::Checksum));
        // Remainders 10, 11, 12 of mod 13 give check digits 0, 1, 2 (mapping only 10 → 0 is the bug).
        for remainder in [10u64, 11, 12] {
            let body = (10_000_000_000_000u64..)
                .find(|n| n % 13 == remainder)
                .unwrap();
            let s = format!("{body}{}", remainder % 10);
            assert!(s.parse::<Ogrnip>().is_ok(), "{s}");
        }
    }

    #[test]
    fn kpp_and_passport_formats() {
        assert!("773601001".parse::<Kpp>().is_ok());
        assert!("7736AB001".parse::<Kpp>().is_ok());
        assert_eq!("7736ab001".parse::<Kpp>(), Err(IdError::Format));
        assert_eq!("77360100".parse::<Kpp>(), Err(IdError::Format));
        let p = Passport::parse("45 08", "123456", "2012-02-29", "770-001").unwrap();
        assert_eq!((p.series.as_str(), p.number.as_str()), ("4508", "123456"));
        assert_eq!(
            Passport::parse("4508", "12345", "2012-01-01", "770-001"),
            Err(IdError::Format)
        );
        assert_eq!(
            Passport::parse("4508", "123456", "2013-02-29", "770-001"),
            Err(IdError::Date)
        );
        assert_eq!(
            Passport::parse("4508", "123456", "2013-01-01", "770001"),
            Err(IdError::Format)
        );
    }
}
