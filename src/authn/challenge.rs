//! Proof-of-work "not a robot" challenge (REQUIREMENTS §3 "Abuse"). Stateless: the challenge is
//! `expiry.bits.nonce.mac` with an HMAC over the rest, so any node can verify it; single use comes
//! from `put_if_absent` on the nonce in the shared cache.
//!
//! Solution: a decimal counter `n` such that SHA-256(`challenge ":" n`) starts with `bits` zero bits.
//! static/pow.js finds it in the page; tests find it with [`solve`].

use crate::app::AppState;
use crate::cache::CacheError;
use crate::crypto;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChallengeError {
    #[error("proof-of-work solution missing")]
    Missing,
    #[error("proof-of-work challenge malformed, forged, expired or wrong")]
    Invalid,
    #[error("proof-of-work challenge already used")]
    Reused,
}

fn mac(app: &AppState, body: &str) -> String {
    // Keyed by the proof-of-work key every node derives from the shared master secret.
    let mut m = Hmac::<Sha256>::new_from_slice(app.purpose_keys.pow()).expect("HMAC takes any key");
    m.update(b"vhod proof-of-work\0");
    m.update(body.as_bytes());
    crypto::b64url(&m.finalize().into_bytes())
}

/// A fresh challenge at the configured difficulty.
pub fn issue(app: &AppState) -> String {
    let c = &app.config.login;
    let nonce = &crypto::random_token()[..22];
    let body = format!("{}.{}.{nonce}", app.clock.now() + c.pow_ttl, c.pow_bits);
    let tag = mac(app, &body);
    format!("{body}.{tag}")
}

/// Leading zero bits of SHA-256(`challenge:counter`).
pub fn leading_zero_bits(challenge: &str, counter: &str) -> u32 {
    let digest = Sha256::digest(format!("{challenge}:{counter}").as_bytes());
    let mut bits = 0;
    for byte in digest {
        if byte == 0 {
            bits += 8;
        } else {
            bits += byte.leading_zeros();
            break;
        }
    }
    bits
}

/// The smallest counter solving `challenge` (what the page script computes).
pub fn solve(challenge: &str) -> String {
    let bits: u32 = challenge
        .split('.')
        .nth(1)
        .and_then(|b| b.parse().ok())
        .unwrap_or(0);
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| leading_zero_bits(challenge, n) >= bits)
        .expect("a solution exists")
}

/// Checks a submitted solution and spends the challenge.
pub async fn verify(
    app: &AppState,
    challenge: Option<&str>,
    solution: Option<&str>,
) -> Result<Result<(), ChallengeError>, CacheError> {
    let (Some(challenge), Some(solution)) = (
        challenge.filter(|c| !c.is_empty()),
        solution.filter(|s| !s.is_empty()),
    ) else {
        return Ok(Err(ChallengeError::Missing));
    };
    let parts: Vec<&str> = challenge.split('.').collect();
    let [expiry, bits, nonce, tag] = parts[..] else {
        return Ok(Err(ChallengeError::Invalid));
    };
    let (Ok(expiry), Ok(bits)) = (expiry.parse::<i64>(), bits.parse::<u32>()) else {
        return Ok(Err(ChallengeError::Invalid));
    };
    let genuine = crypto::ct_eq(&mac(app, &format!("{expiry}.{bits}.{nonce}")), tag);
    let now = app.clock.now();
    if !genuine
        || expiry <= now
        || bits < app.config.login.pow_bits
        || solution.len() > 20
        || leading_zero_bits(challenge, solution) < bits
    {
        return Ok(Err(ChallengeError::Invalid));
    }
    let fresh = app
        .cache
        .put_if_absent(&format!("pow:{nonce}"), "1", expiry - now + 1)
        .await?;
    Ok(if fresh {
        Ok(())
    } else {
        Err(ChallengeError::Reused)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_bits_are_counted_across_bytes() {
        // Any solution found by `solve` meets the difficulty it was asked for.
        let c = "1.12.abc.tag";
        let n = solve(c);
        assert!(leading_zero_bits(c, &n) >= 12);
        assert!(leading_zero_bits(c, "not-a-solution-probably") < 40);
    }
}
