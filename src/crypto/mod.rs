//! Cryptographic building blocks. Nothing here knows about HTTP.

pub mod gost;
pub mod jws_verify;
pub mod kek;
pub mod keyring;
pub mod maintenance;
pub mod password;
pub mod purpose_keys;
pub mod qes;
pub mod signer;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A fresh 256-bit random value, base64url without padding (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A numeric one-time code of `digits` digits, uniformly distributed.
pub fn random_digits(digits: u32) -> String {
    use rand::Rng;
    let max = 10u32.pow(digits);
    format!(
        "{:0width$}",
        rand::rngs::OsRng.gen_range(0..max),
        width = digits as usize
    )
}

/// SHA-256 of a secret, base64url: how codes, refresh tokens, session ids and client secrets are stored.
pub fn sha256_b64(input: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(input.as_bytes()))
}

/// Hash of a secret bound to a purpose, so the same value in two tables never collides.
pub fn hash_secret(purpose: &str, secret: &str) -> String {
    sha256_b64(&format!("{purpose}\u{0}{secret}"))
}

/// Constant-time equality for secrets and their hashes.
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_43_chars_and_distinct() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }

    #[test]
    fn random_digits_are_zero_padded() {
        for _ in 0..200 {
            let code = random_digits(6);
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn sha256_matches_rfc7636_appendix_b() {
        // RFC 7636 Appendix B: S256 of this verifier.
        assert_eq!(
            sha256_b64("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn ct_eq_compares_whole_strings() {
        assert!(ct_eq("abc", "abc"));
        assert!(!ct_eq("abc", "abd"));
        assert!(!ct_eq("abc", "abcd"));
    }
}
