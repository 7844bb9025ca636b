//! GOST signing keys through the normal key lifecycle: generated on first start, KEK-sealed,
//! rotated (published first as `next`, then signing, the old one retired yet verifying), revoked
//! (a fresh key takes over, the revoked key's tokens are refused), imported from the PKCS#8 PEM
//! OpenSSL's gost engine writes (through the keyring and `vhod keys import`), and ESIA-shaped
//! kid-less tokens signed and verified.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use serde_json::{Map, Value, json};
use vhod::crypto::gost::ParamSet;
use vhod::crypto::keyring::{Revoked, SigningAlg};
use vhod::crypto::maintenance;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gost");

fn kid_of(jwt: &str) -> String {
    let h = URL_SAFE_NO_PAD
        .decode(jwt.split('.').next().unwrap())
        .unwrap();
    serde_json::from_slice::<Value>(&h).unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_string()
}

fn claims() -> Map<String, Value> {
    let Value::Object(m) = json!({"iss": "x", "sub": "1000299353"}) else {
        unreachable!()
    };
    m
}

async fn gost_kids(t: &TestServer) -> Vec<String> {
    let v: Value = reqwest::get(format!("{}/jwks/gost", t.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

async fn active_certificates(t: &TestServer) -> usize {
    reqwest::get(format!("{}/keys/gost-256.pem", t.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .matches("BEGIN CERTIFICATE")
        .count()
}

#[tokio::test]
async fn gost_keys_rotate_retire_and_revoke_like_the_others() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let ring = &t.app.keyring;
        let store = &t.app.store;
        // Generated on first start, sealed: the stored private part is not the PEM.
        let rows = store.all_signing_keys().await.unwrap();
        let first = rows
            .iter()
            .find(|r| r.alg == "GOST3410_2012_256" && r.state == "active")
            .expect("a GOST-256 key from the first start");
        assert!(!first.private_sealed.contains("PRIVATE KEY"));
        let old = ring.sign(SigningAlg::Gost256, "JWT", claims()).unwrap();
        assert_eq!(kid_of(&old), first.kid);

        let keep = maintenance::keep_retired(&t.app.config);
        let next = ring
            .rotate(store, SigningAlg::Gost256, false, keep)
            .await
            .unwrap();
        assert!(
            gost_kids(&t).await.contains(&next),
            "published before it signs"
        );
        assert_eq!(
            active_certificates(&t).await,
            2,
            "active and next certificates"
        );
        assert_eq!(
            kid_of(&ring.sign(SigningAlg::Gost256, "JWT", claims()).unwrap()),
            first.kid
        );
        t.app.clock.advance(t.app.config.keys.prepublish_secs + 1);
        maintenance::tick(store, ring, &t.app.config).await.unwrap();
        let fresh = ring.sign(SigningAlg::Gost256, "JWT", claims()).unwrap();
        assert_eq!(kid_of(&fresh), next, "{}", backend.name());
        // The retired key still verifies what it signed; its certificate is still served by kid.
        let (c, typ, kid) = ring.verify_with_kid(&old).expect("retired key verifies");
        assert_eq!(
            (c["sub"].as_str(), typ.as_deref()),
            (Some("1000299353"), Some("JWT"))
        );
        assert_eq!(kid, first.kid);
        assert_eq!(active_certificates(&t).await, 1);
        let res = reqwest::get(format!("{}/keys/{}.pem", t.base, first.kid))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);

        // Revoking the signing key: a fresh GOST key takes over, the revoked one's tokens fail.
        let Revoked::Done { replacement } = ring.revoke(store, &next).await.unwrap() else {
            panic!("revoked");
        };
        let replacement = replacement.expect("a new active GOST key");
        assert!(replacement.starts_with("gost3410_2012_256-"));
        assert!(
            ring.verify(&fresh).is_none(),
            "the revoked key's token is refused"
        );
        assert!(!gost_kids(&t).await.contains(&next));
        assert_eq!(
            kid_of(&ring.sign(SigningAlg::Gost256, "JWT", claims()).unwrap()),
            replacement
        );
    }
}

#[tokio::test]
async fn an_openssl_made_gost_key_imports_and_signs_tokens_openssl_keys_verify() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let keep = maintenance::keep_retired(&t.app.config);
        let pem = std::fs::read(format!("{FIXTURES}/256-XA.key.pem")).unwrap();
        let kid = t
            .app
            .keyring
            .import_pem(&t.app.store, SigningAlg::Gost256, &pem, true, keep)
            .await
            .unwrap();
        // ESIA's header shape, no kid: verified against every published key.
        let mut header = Map::new();
        header.insert("ver".into(), 1.into());
        header.insert("typ".into(), "JWT".into());
        header.insert("sbt".into(), "access".into());
        let token = t
            .app
            .keyring
            .sign_with_header(SigningAlg::Gost256, header, claims())
            .unwrap();
        let head: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            head,
            json!({"ver": 1, "typ": "JWT", "sbt": "access", "alg": "GOST3410_2012_256"})
        );
        // Signed with OpenSSL's key: the OpenSSL-made certificate of that key verifies it.
        let cert = std::fs::read_to_string(format!("{FIXTURES}/256-XA.cert.pem")).unwrap();
        vhod::crypto::jws_verify::verify_compact(&token, &cert).expect("OpenSSL's cert verifies");
        let (c, h) = t.app.keyring.verify_without_kid(&token).expect("kid-less");
        assert_eq!(c["sub"], "1000299353");
        assert_eq!(h["sbt"], "access");
        // The imported key keeps its parameter set (XchA) in the published JWK.
        let set = t.app.keyring.gost_jwks();
        let jwk = set["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == kid.as_str())
            .unwrap()
            .clone();
        assert_eq!(jwk["crv"], ParamSet::CryptoProXchA.oid().to_string());
        // A tampered kid-less token is refused.
        let (head, rest) = token.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let other = URL_SAFE_NO_PAD.encode(r#"{"iss":"x","sub":"1"}"#);
        assert!(
            t.app
                .keyring
                .verify_without_kid(&format!("{head}.{other}.{sig}"))
                .is_none()
        );

        // A 512-bit key cannot become a GOST3410_2012_256 key, nor garbage any key.
        let pem512 = std::fs::read(format!("{FIXTURES}/512-A.key.pem")).unwrap();
        for bad in [
            pem512.as_slice(),
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ] {
            assert!(
                t.app
                    .keyring
                    .import_pem(&t.app.store, SigningAlg::Gost256, bad, false, keep)
                    .await
                    .is_err()
            );
        }
        let sealed = t.app.store.all_signing_keys().await.unwrap();
        assert!(sealed.iter().all(|r| !r.private_sealed.contains("PRIVATE")));
    }
}

#[test]
fn vhod_keys_import_takes_an_openssl_gost_key_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("vhod-gost-cli-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let vhod = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vhod"))
            .current_dir(&dir)
            .env_remove("VHOD_CONFIG")
            .env(
                "VHOD_DATABASE__URL",
                format!("sqlite://{}/vhod.db", dir.display()),
            )
            .env("VHOD_KEYS__KEK_FILE", dir.join("kek"))
            .env("VHOD_LOG", "warn")
            .args(args)
            .output()
            .unwrap()
    };
    let key = format!("{FIXTURES}/512-B.key.pem");
    let out = vhod(&[
        "keys",
        "import",
        "--alg",
        "GOST3410_2012_512",
        "--pem-file",
        &key,
        "--now",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let kid = stdout.split('\t').next().unwrap().to_string();
    assert!(kid.starts_with("gost3410_2012_512-"), "{stdout}");
    assert!(stdout.contains("active"), "{stdout}");
    let out = vhod(&["keys", "list", "--json"]);
    let keys: Value = serde_json::from_slice(&out.stdout).unwrap();
    let active: Vec<&Value> = keys
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["alg"] == "GOST3410_2012_512" && k["state"] == "active")
        .collect();
    assert_eq!(active.len(), 1, "{keys}");
    assert_eq!(active[0]["kid"], kid.as_str());
    // Wrong algorithm name, and a 256-bit key as a 512-bit one: clear refusals.
    let out = vhod(&["keys", "import", "--alg", "GOST", "--pem-file", &key]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("GOST3410_2012_256"));
    let key256 = format!("{FIXTURES}/256-A.key.pem");
    let out = vhod(&[
        "keys",
        "import",
        "--alg",
        "GOST3410_2012_512",
        "--pem-file",
        &key256,
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot sign GOST3410_2012_512"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
