//! Request parameters from a query string or a form body, kept as a list so that a parameter given
//! twice can be refused (RFC 6749 §3.1: "Request and response parameters MUST NOT be included more
//! than once") and invalid UTF-8 can be told apart from text. Parsing is one pass and at most
//! [`MAX_PARAMS`] parameters are accepted, so a large body cannot make any later step quadratic.

use axum::http::{HeaderMap, header};
use std::collections::HashSet;

/// No protocol request needs more parameters than this (an authorization request has about 20).
pub const MAX_PARAMS: usize = 100;

/// Up to this many parameters, `duplicated` compares names pairwise (at most 120 comparisons of
/// short names) instead of hashing each into a set.
const PAIRWISE: usize = 16;

#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    #[error("content type must be application/x-www-form-urlencoded")]
    ContentType,
    #[error("parameters are not valid UTF-8")]
    Encoding,
    #[error("too many parameters (at most 100)")]
    TooMany,
}

impl Params {
    pub fn from_query(query: Option<&str>) -> Result<Params, ParamsError> {
        Self::parse(query.unwrap_or("").as_bytes())
    }

    pub fn from_form(headers: &HeaderMap, body: &[u8]) -> Result<Params, ParamsError> {
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = ct.split(';').next().unwrap_or("").trim();
        if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(ParamsError::ContentType);
        }
        Self::parse(body)
    }

    fn parse(raw: &[u8]) -> Result<Params, ParamsError> {
        let mut pairs = Vec::new();
        for piece in memchr::memchr_iter(b'&', raw)
            .chain(std::iter::once(raw.len()))
            .scan(0, |start, end| {
                let piece = &raw[*start..end];
                *start = end + 1;
                Some(piece)
            })
            .filter(|p| !p.is_empty())
        {
            if pairs.len() == MAX_PARAMS {
                return Err(ParamsError::TooMany);
            }
            let (k, v) = match memchr::memchr(b'=', piece) {
                Some(i) => (&piece[..i], &piece[i + 1..]),
                None => (piece, &[][..]),
            };
            pairs.push((decode(k)?, decode(v)?));
        }
        Ok(Params { pairs })
    }

    /// The value, with an empty value treated as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// The first parameter name that appears more than once. A request has a handful of
    /// parameters: those are compared pairwise, more (up to [`MAX_PARAMS`]) through a set.
    pub fn duplicated(&self) -> Option<&str> {
        if self.pairs.len() <= PAIRWISE {
            return self.pairs.iter().enumerate().find_map(|(i, (k, _))| {
                self.pairs[..i]
                    .iter()
                    .any(|(earlier, _)| earlier == k)
                    .then_some(k.as_str())
            });
        }
        let mut seen = HashSet::with_capacity(self.pairs.len());
        self.pairs
            .iter()
            .map(|(k, _)| k.as_str())
            .find(|k| !seen.insert(*k))
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        Params { pairs }
    }

    /// A copy without the named parameters.
    pub fn without(&self, names: &[&str]) -> Params {
        Params {
            pairs: self
                .pairs
                .iter()
                .filter(|(k, _)| !names.contains(&k.as_str()))
                .cloned()
                .collect(),
        }
    }

    /// A copy in which every override replaces the parameters of the same name.
    pub fn overridden_by(&self, overrides: Vec<(String, String)>) -> Params {
        let replaced: HashSet<&str> = overrides.iter().map(|(k, _)| k.as_str()).collect();
        let mut pairs: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| !replaced.contains(k.as_str()))
            .cloned()
            .collect();
        pairs.extend(overrides);
        Params { pairs }
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

/// One form-encoded value on its own (the two halves of HTTP Basic client credentials, RFC 6749
/// §2.3.1), decoded as a parameter's value is: an `&` or `=` in it is part of the value.
pub fn decode_value(raw: &str) -> Result<String, ParamsError> {
    decode(raw.as_bytes())
}

/// `+` as a space and `%XX` (two hex digits) as that byte, in one pass into one buffer; a `%`
/// not followed by two hex digits stays as it is. The result must be UTF-8. The stretches between
/// escapes are copied whole (a token, a code or a client id has no escape at all).
fn decode(raw: &[u8]) -> Result<String, ParamsError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(at) = memchr::memchr2(b'+', b'%', &raw[i..]) {
        out.extend_from_slice(&raw[i..i + at]);
        i += at;
        let byte = match raw[i] {
            b'+' => b' ',
            _ => match (raw.get(i + 1).and_then(hex), raw.get(i + 2).and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    i += 2;
                    hi << 4 | lo
                }
                _ => b'%',
            },
        };
        out.push(byte);
        i += 1;
    }
    out.extend_from_slice(&raw[i..]);
    String::from_utf8(out).map_err(|_| ParamsError::Encoding)
}

fn hex(digit: &u8) -> Option<u8> {
    (*digit as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_and_plus() {
        let p = Params::from_query(Some("a=%D0%98%D0%B2%D0%B0%D0%BD&b=x+y&c=&d")).unwrap();
        assert_eq!(p.get("a"), Some("Иван"));
        assert_eq!(p.get("b"), Some("x y"));
        assert_eq!(p.get("c"), None);
        assert!(p.has("d"));
        assert_eq!(p.duplicated(), None);
    }

    #[test]
    fn a_percent_without_two_hex_digits_stays_and_a_plus_is_a_space() {
        let p = Params::from_query(Some(
            "a=%&b=%4&c=%4G&d=%%41&e=a+b%2B&f=%e2%82%ac&g=100%25&h=%+41&i=%4",
        ))
        .unwrap();
        assert_eq!(p.get("a"), Some("%"));
        assert_eq!(p.get("b"), Some("%4"));
        assert_eq!(p.get("c"), Some("%4G"));
        assert_eq!(p.get("d"), Some("%A"));
        assert_eq!(p.get("e"), Some("a b+"));
        assert_eq!(p.get("f"), Some("€"));
        assert_eq!(p.get("g"), Some("100%"));
        assert_eq!(p.get("h"), Some("% 41"));
        assert_eq!(p.pairs().last().map(|(_, v)| v.as_str()), Some("%4"));
        let key = Params::from_query(Some("redirect%5Furi=x")).unwrap();
        assert_eq!(key.get("redirect_uri"), Some("x"));
    }

    #[test]
    fn finds_duplicates_and_bad_utf8() {
        assert_eq!(
            Params::from_query(Some("a=1&b=2&a=3"))
                .unwrap()
                .duplicated(),
            Some("a")
        );
        assert_eq!(
            Params::from_query(Some("a=%FF%FE")).unwrap_err(),
            ParamsError::Encoding
        );
    }

    #[test]
    fn a_duplicate_is_found_among_few_parameters_and_among_many() {
        // Pairwise (up to PAIRWISE names) and through a set (more): the same first repeated name.
        for count in [3, PAIRWISE, PAIRWISE + 1, MAX_PARAMS - 2] {
            let mut query: String = (0..count).map(|i| format!("p{i}=v&")).collect();
            assert_eq!(Params::from_query(Some(&query)).unwrap().duplicated(), None);
            query.push_str("p1=again&p0=again");
            let p = Params::from_query(Some(&query)).unwrap();
            assert_eq!(p.duplicated(), Some("p1"), "{count} parameters");
        }
    }

    #[test]
    fn stretches_between_escapes_are_kept_whole() {
        let token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_";
        let query = format!("token={token}&hint=access%5Ftoken+x&&tail=%41BC%");
        let p = Params::from_query(Some(&query)).unwrap();
        assert_eq!(p.get("token"), Some(token));
        assert_eq!(p.get("hint"), Some("access_token x"));
        assert_eq!(p.get("tail"), Some("ABC%"));
        assert_eq!(p.pairs().len(), 3);
    }

    #[test]
    fn parameter_count_is_capped() {
        let at_cap: String = (0..MAX_PARAMS).map(|i| format!("p{i}=&")).collect();
        let p = Params::from_query(Some(&at_cap)).unwrap();
        assert_eq!(p.pairs().len(), MAX_PARAMS);
        assert_eq!(p.duplicated(), None);
        let over = format!("{at_cap}one=more");
        assert_eq!(
            Params::from_query(Some(&over)).unwrap_err(),
            ParamsError::TooMany
        );
        // 40 000 distinct empty parameters stop at the cap instead of being compared pairwise.
        let flood: String = (0..40_000).map(|i| format!("x{i}&")).collect();
        assert_eq!(
            Params::from_query(Some(&flood)).unwrap_err(),
            ParamsError::TooMany
        );
    }

    #[test]
    fn form_requires_urlencoded_content_type() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert_eq!(
            Params::from_form(&h, b"{}").unwrap_err(),
            ParamsError::ContentType
        );
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=UTF-8"
                .parse()
                .unwrap(),
        );
        assert_eq!(Params::from_form(&h, b"a=1").unwrap().get("a"), Some("1"));
    }
}
