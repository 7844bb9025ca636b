//! The two orders of assurance, each defined once: the account level (who the person is proven to
//! be: simplified < standard < confirmed, REQUIREMENTS §1) and the acr of one authentication (how
//! strongly they proved it this time: low < substantial < high, ARCHITECTURE §3). Both are parsed
//! once from their stored or protocol names and compared by their order.

use std::fmt;
use std::str::FromStr;

/// The account level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Simplified,
    Standard,
    Confirmed,
}

impl Level {
    /// Weakest first.
    pub const ALL: [Level; 3] = [Level::Simplified, Level::Standard, Level::Confirmed];

    /// The stored name, also the `account_level` claim.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Simplified => "simplified",
            Level::Standard => "standard",
            Level::Confirmed => "confirmed",
        }
    }

    /// A stored name; anything unknown counts as the lowest level (never as more than it is).
    pub fn of(name: &str) -> Level {
        name.parse().unwrap_or(Level::Simplified)
    }

    /// The names, for error messages and validation.
    pub fn names() -> [&'static str; 3] {
        Level::ALL.map(Level::as_str)
    }
}

impl FromStr for Level {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Level, UnknownName> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or(UnknownName)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Assurance of one authentication (`acr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Acr {
    /// One factor (a password).
    Low,
    /// Two factors, or a passkey with user verification.
    Substantial,
    /// A qualified electronic signature.
    High,
}

impl Acr {
    /// Weakest first.
    pub const ALL: [Acr; 3] = [Acr::Low, Acr::Substantial, Acr::High];

    /// The protocol value (`acr` claim, `acr_values`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Acr::Low => "urn:vhod:acr:low",
            Acr::Substantial => "urn:vhod:acr:substantial",
            Acr::High => "urn:vhod:acr:high",
        }
    }

    pub fn names() -> [&'static str; 3] {
        Acr::ALL.map(Acr::as_str)
    }
}

impl FromStr for Acr {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Acr, UnknownName> {
        Acr::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or(UnknownName)
    }
}

impl fmt::Display for Acr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a level or an acr value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown name")]
pub struct UnknownName;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_acrs_are_ordered_weakest_first() {
        assert!(Level::Simplified < Level::Standard && Level::Standard < Level::Confirmed);
        assert!(Acr::Low < Acr::Substantial && Acr::Substantial < Acr::High);
        assert_eq!("confirmed".parse::<Level>(), Ok(Level::Confirmed));
        assert_eq!("urn:vhod:acr:high".parse::<Acr>(), Ok(Acr::High));
        assert!("gold".parse::<Level>().is_err());
        assert_eq!(Level::of("gold"), Level::Simplified);
        assert!("urn:vhod:acr:medium".parse::<Acr>().is_err());
    }
}
