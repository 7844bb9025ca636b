//! A client_secret made by OpenSSL's GOST engine (`openssl dgst -md_gost12_256 -sign`, as PHP
//! portals make it; tests/fixtures/esia/generate.sh) is accepted, with the clock set to the
//! request's timestamp; the same signature in CryptoPro's byte order and in standard base64 too.

mod common;
mod esia_rp;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::*;
use esia_rp::*;
use vhod::crypto::gost;
use vhod::esia::timestamp;

const SECRET: &str = include_str!("fixtures/esia/client_secret.txt");
const REQUEST: &str = include_str!("fixtures/esia/request.txt");
const LEGACY_SECRET: &str = include_str!("fixtures/esia/legacy_client_secret.txt");

fn request() -> Vec<(String, String)> {
    REQUEST
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn get<'a>(p: &'a [(String, String)], k: &str) -> &'a str {
    &p.iter().find(|(n, _)| n == k).unwrap().1
}

#[tokio::test]
async fn a_client_secret_made_by_openssl_is_accepted_at_its_timestamp() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_OSSL", &[]).await;
        let fixture = request();
        let at = timestamp::parse(get(&fixture, "timestamp")).unwrap();
        t.app.clock.advance(at - t.app.clock.now());

        let raw = URL_SAFE_NO_PAD.decode(SECRET.trim()).unwrap();
        let cryptopro = gost::signature_to_cryptopro(&raw).unwrap();
        for secret in [
            SECRET.trim().to_string(),
            STANDARD.encode(&raw),
            URL_SAFE_NO_PAD.encode(&cryptopro),
        ] {
            let mut p = fixture.clone();
            p.extend([
                ("client_secret".to_string(), secret.clone()),
                ("response_type".into(), "code".into()),
                ("client_certificate_hash".into(), rp.cert_hash.clone()),
            ]);
            let res = Browser::new(&t.base).get(&rp.ac_url(&p)).await;
            let to = location(&res).unwrap_or_default();
            assert!(
                to.starts_with("/login?tx="),
                "{}: {secret} accepted, got {} {to}",
                backend.name(),
                res.status()
            );
        }

        // An hour later the same request is outside the tolerance.
        t.app.clock.advance(3600);
        let mut p = fixture.clone();
        p.extend([
            ("client_secret".to_string(), SECRET.trim().to_string()),
            ("response_type".into(), "code".into()),
        ]);
        let res = Browser::new(&t.base).get(&rp.ac_url(&p)).await;
        let to = location(&res).unwrap();
        assert!(
            param(&to, "error_description")
                .unwrap()
                .starts_with("ESIA-007015")
        );
    }
}

#[tokio::test]
async fn a_legacy_client_secret_made_by_openssl_cms_is_accepted_at_its_timestamp() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_legacy_rp(&t, "PORTAL_OSSL").await;
        let fixture = request();
        let at = timestamp::parse(get(&fixture, "timestamp")).unwrap();
        t.app.clock.advance(at - t.app.clock.now());
        let mut p = fixture.clone();
        p.extend([
            (
                "client_secret".to_string(),
                LEGACY_SECRET.trim().to_string(),
            ),
            ("response_type".into(), "code".into()),
        ]);
        let res = Browser::new(&t.base).get(&rp.legacy_ac_url(&p)).await;
        let to = location(&res).unwrap_or_default();
        assert!(
            to.starts_with("/login?tx="),
            "{}: {} {to}",
            backend.name(),
            res.status()
        );
    }
}
