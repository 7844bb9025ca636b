//! Proof-of-work "not a robot" challenge (REQUIREMENTS §3 "Abuse"). Stateless: the challenge is
//! `expiry.bits.nonce.issued.mac` with an HMAC over the rest, so any node can verify it; single use
//! comes from `put_if_absent` on the nonce in the shared cache.
//!
//! Two ways through: the fast one, a decimal counter `n` such that SHA-256(`challenge ":" n`)
//! starts with `bits` zero bits (static/pow.js finds it in the page; tests find it with [`solve`]);
//! and the one that needs no JavaScript: the same signed challenge sent back without a solution at
//! least `pow_wait_secs` after it was issued (the server checks the signed issue time).

use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum ChallengeError {
    #[error("proof-of-work solution missing")]
    Missing,
    #[error("proof-of-work challenge malformed, forged, expired or wrong")]
    Invalid,
    #[error("proof-of-work challenge already used")]
    Reused,
    /// Sent back without a solution before the waiting period ended; seconds still to wait.
    #[error("waiting period not over")]
    TooEarly(i64),
}

fn mac(app: &Ctx, body: &str) -> String {
    // Keyed by the proof-of-work key every node derives from the shared master secret.
    let mut m = Hmac::<Sha256>::new_from_slice(app.purpose_keys.pow()).expect("HMAC takes any key");
    m.update(b"vhod proof-of-work\0");
    m.update(body.as_bytes());
    crypto::b64url(&m.finalize().into_bytes())
}

/// A fresh challenge at the configured difficulty.
pub fn issue(app: &Ctx) -> String {
    let c = &app.config.login;
    let nonce = &crypto::random_token()[..22];
    let now = app.clock.now();
    let body = format!("{}.{}.{nonce}.{now}", now + c.pow_ttl, c.pow_bits);
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

/// Whether `challenge` is one this installation issued and still valid; no check of a solution.
pub fn is_genuine(app: &Ctx, challenge: &str) -> bool {
    parse(app, challenge).is_some()
}

/// (expiry, bits, nonce, issued) of a genuine, unexpired challenge at today's difficulty.
fn parse<'a>(app: &Ctx, challenge: &'a str) -> Option<(i64, u32, &'a str, i64)> {
    let parts: Vec<&str> = challenge.split('.').collect();
    let [expiry, bits, nonce, issued, tag] = parts[..] else {
        return None;
    };
    let (Ok(expiry), Ok(bits), Ok(issued)) = (
        expiry.parse::<i64>(),
        bits.parse::<u32>(),
        issued.parse::<i64>(),
    ) else {
        return None;
    };
    let genuine = crypto::ct_eq(&mac(app, &format!("{expiry}.{bits}.{nonce}.{issued}")), tag);
    (genuine && expiry > app.clock.now() && bits >= app.config.login.pow_bits)
        .then_some((expiry, bits, nonce, issued))
}

/// Checks a submitted solution, or without one the signed waiting period, and spends the challenge.
pub async fn verify(
    app: &Ctx,
    challenge: Option<&str>,
    solution: Option<&str>,
) -> Result<Result<(), ChallengeError>, CacheError> {
    let Some(challenge) = challenge.filter(|c| !c.is_empty()) else {
        return Ok(Err(ChallengeError::Missing));
    };
    let Some((expiry, bits, nonce, issued)) = parse(app, challenge) else {
        return Ok(Err(ChallengeError::Invalid));
    };
    let now = app.clock.now();
    match solution.filter(|s| !s.is_empty()) {
        Some(solution) => {
            if solution.len() > 20 || leading_zero_bits(challenge, solution) < bits {
                return Ok(Err(ChallengeError::Invalid));
            }
        }
        None => {
            let ready = issued + app.config.login.pow_wait_secs;
            if now < ready {
                return Ok(Err(ChallengeError::TooEarly(ready - now)));
            }
        }
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
        let c = "1.12.abc.0.tag";
        let n = solve(c);
        assert!(leading_zero_bits(c, &n) >= 12);
        assert!(leading_zero_bits(c, "not-a-solution-probably") < 40);
    }
}
