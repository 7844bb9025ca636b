//! Phone and e-mail, normalised once at the edge (REQUIREMENTS §3, §8).

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("malformed phone number")]
    BadPhone,
    /// A well-formed Russian number that is not a mobile one (a landline): codes go by SMS.
    #[error("not a mobile phone number")]
    NotMobile,
    #[error("malformed e-mail address")]
    BadEmail,
}

/// Russian mobile number, stored as "+79XXXXXXXXX".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl FromStr for Phone {
    type Err = ContactError;
    /// Accepts `8…`, `+7…`, `7…` or the bare 10 digits, with spaces, brackets and dashes.
    fn from_str(input: &str) -> Result<Phone, ContactError> {
        let trimmed = input.trim();
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || " ()-+\u{a0}".contains(c))
            || trimmed.matches('+').count() > 1
            || (trimmed.contains('+') && !trimmed.starts_with('+'))
        {
            return Err(ContactError::BadPhone);
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let national = match digits.len() {
            10 if !trimmed.starts_with('+') => digits.as_str(),
            11 if digits.starts_with('7') => &digits[1..],
            11 if digits.starts_with('8') && !trimmed.starts_with('+') => &digits[1..],
            _ => return Err(ContactError::BadPhone),
        };
        if !national.starts_with('9') {
            // Only mobile numbers receive SMS codes.
            return Err(ContactError::NotMobile);
        }
        Ok(Phone(format!("+7{national}")))
    }
}

impl Phone {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// "+7(XXX)XXXXXXX", as ESIA shows it.
    pub fn display(&self) -> String {
        format!("+7({}){}", &self.0[2..5], &self.0[5..])
    }

    /// "+7 (912) ***-**-67", the shape every page shows a number in (`web::show::phone`) with
    /// the subscriber's digits hidden: enough for the owner to recognise, not enough to harvest.
    pub fn masked(&self) -> String {
        format!("+7 ({}) ***-**-{}", &self.0[2..5], &self.0[10..])
    }
}

/// E-mail address, trimmed and lower-cased (uniqueness ignores case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl FromStr for Email {
    type Err = ContactError;
    fn from_str(input: &str) -> Result<Email, ContactError> {
        let e = input.trim().to_lowercase();
        let (local, domain) = e.split_once('@').ok_or(ContactError::BadEmail)?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && e.len() <= 254
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && e.chars().all(|c| !c.is_whitespace() && !c.is_control())
            && !e.contains(['<', '>', '"', ',', ';']);
        if ok {
            Ok(Email(e))
        } else {
            Err(ContactError::BadEmail)
        }
    }
}

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

/// A contact that can receive codes and serve as a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    Phone(Phone),
    Email(Email),
}

impl Contact {
    /// One input serves both: anything with '@' is an e-mail, anything else must be a phone.
    pub fn parse(input: &str) -> Result<Contact, ContactError> {
        if input.contains('@') {
            input.parse().map(Contact::Email)
        } else {
            input.parse().map(Contact::Phone)
        }
    }

    /// The identifiers-table kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Contact::Phone(_) => "phone",
            Contact::Email(_) => "email",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            Contact::Phone(p) => p.as_str(),
            Contact::Email(e) => e.as_str(),
        }
    }

    pub fn masked(&self) -> String {
        match self {
            Contact::Phone(p) => p.masked(),
            Contact::Email(e) => e.masked(),
        }
    }
}

impl fmt::Display for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Contact::Phone(p) => f.write_str(&p.display()),
            Contact::Email(e) => f.write_str(e.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_forms_normalise_to_plus_seven() {
        for input in [
            "+7 (912) 345-67-89",
            "89123456789",
            "8 912 345 67 89",
            "79123456789",
            "9123456789",
            "  +79123456789 ",
        ] {
            assert_eq!(
                input.parse::<Phone>().unwrap().as_str(),
                "+79123456789",
                "{input}"
            );
        }
    }

    #[test]
    fn phone_is_shown_as_esia_does_and_masked() {
        let p: Phone = "89123456789".parse().unwrap();
        assert_eq!(p.display(), "+7(912)3456789");
        assert_eq!(p.masked(), "+7 (912) ***-**-89");
    }

    #[test]
    fn malformed_phones_are_refused() {
        for input in [
            "",
            "12345",
            "+8 912 345 67 89",
            "8912345678a",
            "+7+9123456789",
            "891234567890",
        ] {
            assert_eq!(
                input.parse::<Phone>(),
                Err(ContactError::BadPhone),
                "{input}"
            );
        }
    }

    #[test]
    fn email_is_lowercased_and_validated() {
        assert_eq!(
            " Ivan.Petrov@Example.RU "
                .parse::<Email>()
                .unwrap()
                .as_str(),
            "ivan.petrov@example.ru"
        );
        for bad in [
            "ivan",
            "ivan@",
            "@example.ru",
            "ivan@example",
            "iv an@example.ru",
            "a@b@c.ru",
            "ivan@.ru",
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad}");
        }
    }

    #[test]
    fn contact_parse_picks_the_kind() {
        assert_eq!(Contact::parse("a@b.ru").unwrap().kind(), "email");
        assert_eq!(Contact::parse("8 912 345-67-89").unwrap().kind(), "phone");
    }

    #[test]
    fn a_landline_is_told_apart_from_a_malformed_number() {
        for input in ["+7 495 123 45 67", "8 (812) 555-01-02", "4951234567"] {
            assert_eq!(
                input.parse::<Phone>(),
                Err(ContactError::NotMobile),
                "{input}"
            );
        }
    }
}
