//! DPoP (RFC 9449): proof of possession of a client-held key, bound into access tokens (`cnf.jkt`)
//! and, for public clients, into the refresh-token family. Server nonces (§8) are stateless: an HMAC
//! of the current 5-minute window, so every node issues and accepts the same ones. Each proof `jti`
//! is accepted once.

use crate::crypto;
use crate::ctx::Ctx;
use hmac::{Hmac, Mac};
use josekit::jwk::Jwk;
use josekit::jws::{ES256, JwsVerifier, PS256, RS256};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

const NONCE_WINDOW: i64 = 300;
/// How far a proof's `iat` may be from our clock.
const IAT_SKEW: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DpopError {
    #[error("DPoP proof is invalid: {0}")]
    Invalid(&'static str),
    #[error("a DPoP nonce is required")]
    UseNonce,
}

pub struct Proof {
    /// RFC 7638 SHA-256 thumbprint of the proof key, base64url.
    pub jkt: String,
}

/// RFC 7638 thumbprint: the required members in lexicographic order, no whitespace.
pub fn thumbprint(jwk: &Jwk) -> Option<String> {
    let m = jwk.as_ref();
    let s = |k: &str| m.get(k).and_then(Value::as_str);
    let canonical = match jwk.key_type() {
        "EC" => format!(
            r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
            s("crv")?,
            s("x")?,
            s("y")?
        ),
        "RSA" => format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, s("e")?, s("n")?),
        _ => return None,
    };
    Some(crypto::b64url(&Sha256::digest(canonical.as_bytes())))
}

fn nonce_for(app: &Ctx, window: i64) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app.purpose_keys.dpop_nonce()).expect("HMAC takes any key");
    mac.update(b"dpop-nonce\0");
    mac.update(&window.to_be_bytes());
    crypto::b64url(&mac.finalize().into_bytes()[..16])
}

/// The nonce to hand out now (DPoP-Nonce header).
pub fn current_nonce(app: &Ctx) -> String {
    nonce_for(app, app.clock.now() / NONCE_WINDOW)
}

fn nonce_ok(app: &Ctx, nonce: &str) -> bool {
    let w = app.clock.now() / NONCE_WINDOW;
    crypto::ct_eq(nonce, &nonce_for(app, w)) || crypto::ct_eq(nonce, &nonce_for(app, w - 1))
}

/// Verifies a DPoP proof for `method` `url`; `access_token` is given at resource servers (`ath`).
pub async fn verify(
    app: &Ctx,
    proof: &str,
    method: &str,
    url: &str,
    access_token: Option<&str>,
) -> Result<Proof, DpopError> {
    let bad = DpopError::Invalid;
    let header = josekit::jwt::decode_header(proof).map_err(|_| bad("not a JWT"))?;
    if header.claim("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err(bad("typ must be dpop+jwt"));
    }
    let alg = header.claim("alg").and_then(Value::as_str).unwrap_or("");
    let jwk_value = header.claim("jwk").ok_or(bad("no jwk in the header"))?;
    let jwk = Jwk::from_map(
        jwk_value
            .as_object()
            .cloned()
            .ok_or(bad("jwk is not an object"))?,
    )
    .map_err(|_| bad("jwk is malformed"))?;
    if ["d", "p", "q", "dp", "dq", "qi"]
        .iter()
        .any(|k| jwk.as_ref().contains_key(*k))
    {
        return Err(bad("jwk contains a private key"));
    }
    let verifier: Box<dyn JwsVerifier> = match alg {
        "ES256" => Box::new(
            ES256
                .verifier_from_jwk(&jwk)
                .map_err(|_| bad("key does not fit ES256"))?,
        ),
        "RS256" => Box::new(
            RS256
                .verifier_from_jwk(&jwk)
                .map_err(|_| bad("key does not fit RS256"))?,
        ),
        "PS256" => Box::new(
            PS256
                .verifier_from_jwk(&jwk)
                .map_err(|_| bad("key does not fit PS256"))?,
        ),
        _ => return Err(bad("alg must be ES256, RS256 or PS256")),
    };
    let (payload, _) = josekit::jwt::decode_with_verifier(proof, verifier.as_ref())
        .map_err(|_| bad("signature"))?;
    let c: &Map<String, Value> = payload.claims_set();
    let s = |k: &str| c.get(k).and_then(Value::as_str);
    if s("htm") != Some(method) {
        return Err(bad("htm does not match the request method"));
    }
    if s("htu").map(strip_query) != Some(strip_query(url)) {
        return Err(bad("htu does not match the request URL"));
    }
    let iat = c.get("iat").and_then(Value::as_f64).ok_or(bad("no iat"))? as i64;
    if (iat - app.clock.now()).abs() > IAT_SKEW {
        return Err(bad("iat is too far from now"));
    }
    if let Some(at) = access_token {
        let ath = crypto::b64url(&Sha256::digest(at.as_bytes()));
        if s("ath") != Some(ath.as_str()) {
            return Err(bad("ath does not match the access token"));
        }
    }
    match s("nonce") {
        Some(n) if nonce_ok(app, n) => {}
        _ => return Err(DpopError::UseNonce),
    }
    let jti = s("jti")
        .filter(|j| !j.is_empty() && j.len() <= 256)
        .ok_or(bad("no jti"))?;
    let jkt = thumbprint(&jwk).ok_or(bad("unsupported key type"))?;
    let key = format!("dpop-jti:{}", crypto::sha256_b64(&format!("{jkt}\0{jti}")));
    let fresh = app
        .cache
        .put_if_absent(&key, "1", IAT_SKEW * 2 + NONCE_WINDOW)
        .await
        .map_err(|_| bad("replay check unavailable"))?;
    if !fresh {
        return Err(bad("jti was already used"));
    }
    Ok(Proof { jkt })
}

/// RFC 9449 §4.3: htu is compared without query and fragment.
fn strip_query(u: &str) -> &str {
    u.split(['?', '#']).next().unwrap_or(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc7638_example() {
        // RFC 7638 §3.1 example key.
        let jwk = Jwk::from_bytes(br#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#).unwrap();
        assert_eq!(
            thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
