//! Password policy (REQUIREMENTS §3): at least 8 characters with upper- and lower-case Latin letters,
//! digits and punctuation; common passwords refused; long passphrases allowed.

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("shorter than 8 characters")]
    TooShort,
    #[error("longer than 256 characters")]
    TooLong,
    #[error("needs upper- and lower-case Latin letters, digits and punctuation")]
    MissingClass,
    #[error("too common")]
    Common,
    #[error("the two passwords differ")]
    Mismatch,
}

pub const MAX_LEN: usize = 256;

/// Lower-cased stems of passwords that satisfy the character classes yet sit at the top of every
/// leaked-password list; a password is refused when, with digits and punctuation removed, it is one of them.
const COMMON_STEMS: &[&str] = &[
    "password",
    "passw",
    "pass",
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "zxcvbn",
    "admin",
    "welcome",
    "letmein",
    "iloveyou",
    "monkey",
    "dragon",
    "master",
    "login",
    "abc",
    "qwe",
    "test",
    "user",
    "parol",
    "gosuslugi",
    "privet",
    "hello",
    "summer",
    "winter",
    "spring",
    "autumn",
    "football",
    "sunshine",
    "princess",
    "qazwsx",
];

pub fn check(password: &str, repeat: &str) -> Result<(), PolicyError> {
    let len = password.chars().count();
    if len < 8 {
        return Err(PolicyError::TooShort);
    }
    if len > MAX_LEN {
        return Err(PolicyError::TooLong);
    }
    let has_upper = password.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = password.chars().any(|c| c.is_ascii_lowercase());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    let has_punct = password.chars().any(|c| c.is_ascii_punctuation());
    if !(has_upper && has_lower && has_digit && has_punct) {
        return Err(PolicyError::MissingClass);
    }
    let stem: String = password
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    let leet: String = password
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '@' => 'a',
            '0' => 'o',
            '1' => 'i',
            '3' => 'e',
            '$' | '5' => 's',
            c => c,
        })
        .filter(|c| c.is_alphabetic())
        .collect();
    if COMMON_STEMS.contains(&stem.as_str()) || COMMON_STEMS.contains(&leet.as_str()) {
        return Err(PolicyError::Common);
    }
    if !crate::crypto::ct_eq(password, repeat) {
        return Err(PolicyError::Mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_password_and_long_passphrase_pass() {
        assert_eq!(check("Zvezda-2026!", "Zvezda-2026!"), Ok(()));
        let phrase = "Tri-tanka-na-gorke-stoyali-i-smotreli-na-reku-1984-goda-vecherom!!";
        assert!(phrase.len() >= 64);
        assert_eq!(check(phrase, phrase), Ok(()));
    }

    #[test]
    fn each_missing_rule_is_named() {
        assert_eq!(check("Ab1!", "Ab1!"), Err(PolicyError::TooShort));
        assert_eq!(
            check("abcdefg1!", "abcdefg1!"),
            Err(PolicyError::MissingClass)
        );
        assert_eq!(
            check("Abcdefgh!", "Abcdefgh!"),
            Err(PolicyError::MissingClass)
        );
        assert_eq!(
            check("Abcdefgh1", "Abcdefgh1"),
            Err(PolicyError::MissingClass)
        );
        assert_eq!(check("Password1!", "Password1!"), Err(PolicyError::Common));
        assert_eq!(check("P@ssw0rd!", "P@ssw0rd!"), Err(PolicyError::Common));
        assert_eq!(check("Qwerty123!", "Qwerty123!"), Err(PolicyError::Common));
        assert_eq!(
            check("Zvezda-2026!", "Zvezda-2026?"),
            Err(PolicyError::Mismatch)
        );
        let long = "Aa1!".repeat(65);
        assert_eq!(check(&long, &long), Err(PolicyError::TooLong));
    }
}
