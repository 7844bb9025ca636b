//! `vhod jws verify`: a GOST token in ESIA's header shape, signed with an OpenSSL-made key, verifies
//! against the key's OpenSSL-made certificate (exit 0, header and claims printed); a tampered one or
//! the wrong key exits non-zero.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::process::Command;
use vhod::crypto::gost::SigningKey;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gost");

fn esia_token(key_file: &str, claims: &str) -> String {
    let key = SigningKey::from_pkcs8_pem(
        &std::fs::read_to_string(format!("{FIXTURES}/{key_file}")).unwrap(),
    )
    .unwrap();
    let header = r#"{"ver":1,"typ":"JWT","sbt":"id","alg":"GOST3410_2012_256"}"#;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn verify(key_file: &str, token: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vhod"))
        .env_remove("VHOD_CONFIG")
        .env("VHOD_LOG", "warn")
        .args([
            "jws",
            "verify",
            "--key",
            &format!("{FIXTURES}/{key_file}"),
            token,
        ])
        .output()
        .unwrap()
}

#[test]
fn jws_verify_accepts_an_esia_shaped_gost_token_and_refuses_a_tampered_one() {
    let claims = r#"{"sub":1000299353,"urn:esia:sbj":{"typ":"P","oid":1000299353}}"#;
    let token = esia_token("256-A.key.pem", claims);

    let out = verify("256-A.cert.pem", &token);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("\"sbt\": \"id\""), "{printed}");
    assert!(printed.contains("\"oid\": 1000299353"), "{printed}");

    let (head, rest) = token.split_once('.').unwrap();
    let sig = rest.rsplit('.').next().unwrap();
    let forged = format!("{head}.{}.{sig}", URL_SAFE_NO_PAD.encode(r#"{"sub":1}"#));
    let out = verify("256-A.cert.pem", &forged);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the signature does not verify"));

    let out = verify("256-B.pub.pem", &token);
    assert!(!out.status.success(), "another key must not verify it");
}
