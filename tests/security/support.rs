//! What the attacks share: a server with one confidential portal and one person, tokens for them.

use crate::common::*;
use josekit::jwk::KeyPair;
use josekit::jws::{ES256, JwsSigner};
use serde_json::Value;

pub const CITIZEN: &str = "citizen@example.org";

/// A server with a confidential portal registered at REDIRECT and a person CITIZEN:
/// (server, client_id, client_secret).
pub async fn portal(backend: &Backend) -> (TestServer, String, String) {
    let t = TestServer::start(backend).await;
    let (client_id, secret) = t.add_client(REDIRECT, false).await;
    t.add_person(CITIZEN).await;
    (t, client_id, secret.expect("a confidential client"))
}

/// PKCE parameters with RFC 7636's example challenge (these requests are meant to fail, so no
/// verifier is kept).
pub fn pkce_params() -> [(&'static str, &'static str); 2] {
    [
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ]
}

/// CITIZEN signs in for the portal in a fresh browser; the token response.
pub async fn tokens_of(t: &TestServer, client_id: &str, secret: &str) -> Value {
    let browser = Browser::new(&t.base);
    tokens_in(t, &browser, client_id, secret).await
}

/// As `tokens_of`, in `browser` (which keeps the session).
pub async fn tokens_in(t: &TestServer, browser: &Browser, client_id: &str, secret: &str) -> Value {
    let (code, verifier) = obtain_code(t, browser, client_id, CITIZEN).await;
    let (status, tokens) = redeem(t, client_id, secret, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

pub async fn refresh_with(
    t: &TestServer,
    client_id: &str,
    secret: &str,
    tokens: &Value,
) -> (u16, Value) {
    token_request(
        t,
        client_id,
        secret,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ],
    )
    .await
}

/// A compact JWS with this header and payload and a junk signature (for attacks that must fail
/// before any key is found).
pub fn forged_jwt(header: &Value, payload: &Value, signature: &str) -> String {
    use base64::Engine;
    let b64 = |v: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
    };
    format!("{}.{}.{signature}", b64(header), b64(payload))
}

/// The ID token's header and payload, re-encoded under `header` with the original signature
/// (or none).
pub fn resigned(token: &str, header: &Value, signature: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let h = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header.to_string().as_bytes());
    format!("{h}.{payload}.{signature}")
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn part(token: &str, i: usize) -> Value {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.split('.').nth(i).unwrap())
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// `header`.`claims` signed by `signer`.
pub fn signed_by(signer: &dyn JwsSigner, header: &Value, claims: &Value) -> String {
    let msg = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = signer.sign(msg.as_bytes()).unwrap();
    format!("{msg}.{}", b64(&sig))
}

/// The attacker's own P-256 key: (signer, public JWK).
pub fn attacker_key() -> (Box<dyn JwsSigner>, Value) {
    let pair = ES256.generate_key_pair().unwrap();
    let signer = ES256.signer_from_jwk(&pair.to_jwk_private_key()).unwrap();
    let public = Value::Object(pair.to_jwk_public_key().into());
    (Box::new(signer), public)
}
