//! Pure verification, no HTTP: certificates and CRLs from rcgen, signatures from `openssl cms`.

#[path = "../../../tests/common/pki.rs"]
mod pki;

use super::{Qes, QesError, Verified};
use pki::{Ca, PersonOpts, Scratch};

const SNILS: &str = "112-233-445 95";
const CHALLENGE: &str = "vhod-login-test-challenge";

struct World {
    scratch: Scratch,
    root: Ca,
    sub: Ca,
    qes: Qes,
    config: crate::config::Qes,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Root → intermediate, both with CRLs; the intermediate's CRL revokes serial 66.
fn world() -> World {
    let scratch = Scratch::new();
    let root = Ca::root("Test Root CA");
    let sub = root.intermediate("Test Issuing CA");
    let trust = pki::trust_dir(&scratch, &[&root]);
    let root_crl = scratch.write("root.crl", &root.crl(&[]));
    let sub_crl = scratch.write("sub.crl", &sub.crl(&[66]));
    let config = crate::config::Qes {
        trust_dir: trust.clone(),
        crls: format!("{root_crl}, {sub_crl}"),
        crl_refresh_secs: 3600,
        require_crl: true,
        session_ttl: 3600,
    };
    World {
        qes: Qes::load(&trust).unwrap(),
        scratch,
        root,
        sub,
        config,
    }
}

/// The outbound guard with this machine's test servers allowed.
fn loopback_outbound() -> crate::outbound::Outbound {
    let mut c = crate::config::Config::defaults();
    c.dev.enabled = true;
    c.outbound.allow = "127.0.0.0/8,::1".into();
    crate::outbound::Outbound::from_config(&c).unwrap()
}

impl World {
    fn person(&self, opts: PersonOpts<'_>) -> pki::Person {
        let mut p = self.sub.person(opts);
        p.chain_pem = self.sub.pem.clone();
        p
    }

    async fn verify(&self, signature: &str, challenge: &str) -> Result<Verified, QesError> {
        self.qes
            .verify(
                &self.config,
                &loopback_outbound(),
                signature.as_bytes(),
                challenge.as_bytes(),
                now(),
            )
            .await
    }
}

#[tokio::test]
async fn ecdsa_signature_through_an_intermediate_yields_the_snils() {
    let w = world();
    let person = w.person(PersonOpts::new(SNILS, 10));
    let sig = pki::sign(&w.scratch, &person, CHALLENGE, true);
    let v = w.verify(&sig, CHALLENGE).await.unwrap();
    assert_eq!(v.snils.as_str(), "11223344595");
    assert!(v.subject.contains("Иванов"), "{}", v.subject);
    assert!(v.issuer.contains("Test Issuing CA"), "{}", v.issuer);
    assert_eq!(v.serial, "0a");
    assert_eq!(v.fingerprint.len(), 64);
}

#[tokio::test]
async fn rsa_signature_without_signed_attributes_verifies() {
    let w = world();
    let rsa = pki::rsa_key_pem(&w.scratch);
    let mut opts = PersonOpts::new(SNILS, 11);
    opts.rsa_key_pem = Some(&rsa);
    // Issued directly by the root: no intermediate needed.
    let person = w.root.person(opts);
    let sig = pki::sign(&w.scratch, &person, CHALLENGE, false);
    assert_eq!(
        w.verify(&sig, CHALLENGE).await.unwrap().snils.as_str(),
        "11223344595"
    );
    // Base64 without armour is accepted as well.
    let bare: String = sig.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(w.verify(&bare, CHALLENGE).await.is_ok());
}

#[tokio::test]
async fn signature_over_another_challenge_is_refused() {
    let w = world();
    let person = w.person(PersonOpts::new(SNILS, 12));
    let with_attrs = pki::sign(&w.scratch, &person, "another challenge", true);
    assert_eq!(
        w.verify(&with_attrs, CHALLENGE).await.unwrap_err(),
        QesError::WrongChallenge
    );
    let without = pki::sign(&w.scratch, &person, "another challenge", false);
    assert_eq!(
        w.verify(&without, CHALLENGE).await.unwrap_err(),
        QesError::WrongChallenge
    );
}

#[tokio::test]
async fn certificate_of_an_untrusted_ca_is_refused() {
    let w = world();
    let stranger = Ca::root("Stranger CA");
    let person = stranger.person(PersonOpts::new(SNILS, 13));
    let sig = pki::sign(&w.scratch, &person, CHALLENGE, true);
    assert_eq!(
        w.verify(&sig, CHALLENGE).await.unwrap_err(),
        QesError::Untrusted
    );
    // Without the intermediate in the signature there is no path either.
    let mut orphan = w.person(PersonOpts::new(SNILS, 14));
    orphan.chain_pem.clear();
    let sig = pki::sign(&w.scratch, &orphan, CHALLENGE, true);
    assert_eq!(
        w.verify(&sig, CHALLENGE).await.unwrap_err(),
        QesError::Untrusted
    );
}

#[tokio::test]
async fn expired_certificate_is_refused() {
    let w = world();
    let mut opts = PersonOpts::new(SNILS, 15);
    opts.valid = (2021, 2022);
    let person = w.person(opts);
    let sig = pki::sign(&w.scratch, &person, CHALLENGE, true);
    assert_eq!(
        w.verify(&sig, CHALLENGE).await.unwrap_err(),
        QesError::Expired
    );
}

#[tokio::test]
async fn revoked_certificate_is_refused_and_a_missing_crl_means_unknown() {
    let mut w = world();
    let person = w.person(PersonOpts::new(SNILS, 66));
    let sig = pki::sign(&w.scratch, &person, CHALLENGE, true);
    assert_eq!(
        w.verify(&sig, CHALLENGE).await.unwrap_err(),
        QesError::Revoked
    );
    let good = w.person(PersonOpts::new(SNILS, 16));
    let good_sig = pki::sign(&w.scratch, &good, CHALLENGE, true);
    // Only the root's CRL configured: the intermediate's status is unknown.
    w.config.crls = w.config.crls.split(',').next().unwrap().to_string();
    w.qes = Qes::load(&w.config.trust_dir).unwrap();
    assert_eq!(
        w.verify(&good_sig, CHALLENGE).await.unwrap_err(),
        QesError::RevocationUnknown
    );
    w.config.require_crl = false;
    assert!(w.verify(&good_sig, CHALLENGE).await.is_ok());
}

#[tokio::test]
async fn crl_signed_by_another_ca_does_not_count() {
    let mut w = world();
    let impostor = Ca::root("Test Issuing CA");
    let fake = w.scratch.write("fake.crl", &impostor.crl(&[]));
    let root_crl = w.config.crls.split(',').next().unwrap().to_string();
    w.config.crls = format!("{root_crl},{fake}");
    let person = w.person(PersonOpts::new(SNILS, 66));
    let sig = pki::sign(&w.scratch, &person, CHALLENGE, true);
    assert_eq!(
        w.verify(&sig, CHALLENGE).await.unwrap_err(),
        QesError::RevocationUnknown
    );
}

#[tokio::test]
async fn certificate_without_signing_key_usage_is_refused() {
    let w = world();
    let mut opts = PersonOpts::new(SNILS, 17);
    opts.key_usages = Some(vec![rcgen::KeyUsagePurpose::KeyEncipherment]);
    let person = w.person(opts);
    let sig = pki::sign(&w.scratch, &person, CHALLENGE, true);
    assert_eq!(
        w.verify(&sig, CHALLENGE).await.unwrap_err(),
        QesError::KeyUsage
    );
}

#[tokio::test]
async fn certificate_without_snils_is_refused() {
    let w = world();
    let mut opts = PersonOpts::new(SNILS, 18);
    opts.snils = None;
    let person = w.person(opts);
    let sig = pki::sign(&w.scratch, &person, CHALLENGE, true);
    assert_eq!(
        w.verify(&sig, CHALLENGE).await.unwrap_err(),
        QesError::NoSnils
    );
}

#[tokio::test]
async fn unreadable_or_tampered_signatures_are_refused() {
    let w = world();
    assert_eq!(
        w.verify("not a signature", CHALLENGE).await.unwrap_err(),
        QesError::BadCms
    );
    assert_eq!(
        w.verify("MIIB", CHALLENGE).await.unwrap_err(),
        QesError::BadCms
    );
    let person = w.person(PersonOpts::new(SNILS, 19));
    let sig = pki::sign(&w.scratch, &person, CHALLENGE, true);
    let der = super::cms::decode_input(sig.as_bytes()).unwrap();
    // Flip the last byte: the signature value sits at the end of a signer-info without
    // unsigned attributes.
    let mut bad = der.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x01;
    let bad_b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bad);
    assert_eq!(
        w.verify(&bad_b64, CHALLENGE).await.unwrap_err(),
        QesError::BadSignature
    );
}

#[test]
fn algorithms_are_looked_up_by_oid() {
    use x509_cert::der::oid::db::rfc5912;
    assert!(super::algorithms::lookup(&rfc5912::ECDSA_WITH_SHA_256, None).is_some());
    assert!(super::algorithms::lookup(&rfc5912::SHA_256_WITH_RSA_ENCRYPTION, None).is_some());
    assert!(
        super::algorithms::lookup(&rfc5912::RSA_ENCRYPTION, Some(&rfc5912::ID_SHA_256)).is_some()
    );
    // GOST R 34.10-2012: by the signature OID (certificates, CRLs), or by the key OID with the
    // Streebog of the key's size (CMS as OpenSSL's engine and CryptoPro write it); another
    // digest with a GOST key is not a GOST algorithm.
    use crate::crypto::gost;
    let name = |s, d| super::algorithms::lookup(s, d).map(|a| a.name());
    assert_eq!(
        name(&gost::OID_SIGN_WITH_STREEBOG256, None),
        Some("GOST R 34.10-2012 256 Streebog-256")
    );
    assert_eq!(
        name(&gost::OID_SIGN_WITH_STREEBOG512, None),
        Some("GOST R 34.10-2012 512 Streebog-512")
    );
    assert_eq!(
        name(&gost::OID_GOST3410_2012_256, Some(&gost::OID_STREEBOG256)),
        Some("GOST R 34.10-2012 256 Streebog-256")
    );
    assert!(name(&gost::OID_GOST3410_2012_256, Some(&gost::OID_STREEBOG512)).is_none());
    assert!(name(&gost::OID_GOST3410_2012_512, Some(&rfc5912::ID_SHA_256)).is_none());
    // Unknown OIDs are not.
    let other = x509_cert::der::asn1::ObjectIdentifier::new_unwrap("1.2.643.2.2.3");
    assert!(super::algorithms::lookup(&other, None).is_none());
}

#[tokio::test]
async fn sign_challenge_output_verifies_here_and_with_openssl() {
    let w = world();
    let rsa = pki::rsa_key_pem(&w.scratch);
    let mut opts = PersonOpts::new(SNILS, 20);
    opts.rsa_key_pem = Some(&rsa);
    for person in [w.person(PersonOpts::new(SNILS, 21)), w.person(opts)] {
        let der = super::sign::sign_detached(
            CHALLENGE.as_bytes(),
            person.cert_pem.as_bytes(),
            person.key_pem.as_bytes(),
            person.chain_pem.as_bytes(),
        )
        .unwrap();
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &der);
        assert_eq!(
            w.verify(&b64, CHALLENGE).await.unwrap().snils.as_str(),
            "11223344595"
        );
        assert_eq!(
            w.verify(&b64, "another").await.unwrap_err(),
            QesError::WrongChallenge
        );
        // openssl checks the same bytes independently (chain checks aside: -noverify); it wants
        // PEM armour around the base64.
        let content = w.scratch.write("cli.txt", CHALLENGE);
        let armoured = format!(
            "-----BEGIN CMS-----\n{}\n-----END CMS-----\n",
            b64.as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        );
        let sig = w.scratch.write("cli.pem", &armoured);
        let out = std::process::Command::new("openssl")
            .args(["cms", "-verify", "-binary", "-noverify", "-inform", "PEM"])
            .args(["-in", &sig, "-content", &content, "-out", "/dev/null"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn crls_from_http_are_cached_refreshed_and_kept_when_the_server_fails() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    let root = Ca::root("Test Root CA");
    let served = Arc::new(Mutex::new(Some(root.crl(&[]))));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (s, f) = (served.clone(), fetches.clone());
    let app = axum::Router::new().route(
        "/root.crl",
        axum::routing::get(move || {
            let (s, f) = (s.clone(), f.clone());
            async move {
                f.fetch_add(1, Ordering::SeqCst);
                match s.lock().unwrap().clone() {
                    Some(pem) => (axum::http::StatusCode::OK, pem),
                    None => (axum::http::StatusCode::SERVICE_UNAVAILABLE, String::new()),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/root.crl", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let cache = super::crl::CrlCache::default();
    let http = loopback_outbound();
    let sources = vec![url];
    let revoked = |lists: &[Arc<x509_cert::crl::CertificateList>]| {
        assert_eq!(lists.len(), 1);
        lists[0]
            .tbs_cert_list
            .revoked_certificates
            .as_ref()
            .map_or(0, Vec::len)
    };
    let t0 = now();
    assert_eq!(revoked(&cache.current(&http, &sources, 60, t0).await), 0);
    *served.lock().unwrap() = Some(root.crl(&[5]));
    // Within the refresh interval the cached list answers, without a fetch.
    assert_eq!(
        revoked(&cache.current(&http, &sources, 60, t0 + 10).await),
        0
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    // After it, the new list is fetched.
    assert_eq!(
        revoked(&cache.current(&http, &sources, 60, t0 + 61).await),
        1
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    // A failing server leaves the last good list in place.
    *served.lock().unwrap() = None;
    assert_eq!(
        revoked(&cache.current(&http, &sources, 60, t0 + 200).await),
        1
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
}

#[test]
fn snils_is_read_from_a_numeric_string_as_qualified_certificates_encode_it() {
    use x509_cert::der::asn1::Any;
    use x509_cert::der::{DecodePem, Tag};
    let ca = Ca::root("Test Root CA");
    let person = ca.person(PersonOpts::new(SNILS, 22));
    let mut cert = x509_cert::Certificate::from_pem(person.cert_pem.as_bytes()).unwrap();
    let mut found = false;
    for rdn in cert.tbs_certificate.subject.0.iter_mut() {
        let mut atvs: Vec<_> = rdn.0.iter().cloned().collect();
        for atv in atvs.iter_mut().filter(|a| a.oid == super::OID_SNILS) {
            atv.value = Any::new(Tag::NumericString, b"11223344595".to_vec()).unwrap();
            found = true;
        }
        rdn.0 = atvs.try_into().unwrap();
    }
    assert!(found);
    assert_eq!(super::snils_of(&cert).unwrap().as_str(), "11223344595");
    // A SNILS with a wrong checksum is no SNILS.
    for rdn in cert.tbs_certificate.subject.0.iter_mut() {
        let mut atvs: Vec<_> = rdn.0.iter().cloned().collect();
        for atv in atvs.iter_mut().filter(|a| a.oid == super::OID_SNILS) {
            atv.value = Any::new(Tag::NumericString, b"11223344596".to_vec()).unwrap();
        }
        rdn.0 = atvs.try_into().unwrap();
    }
    assert!(super::snils_of(&cert).is_none());
}

#[tokio::test]
async fn a_ca_merely_named_like_a_trusted_one_is_not_trusted() {
    let w = world();
    // Same subject as the trusted root and the intermediate, other keys.
    let fake_root = Ca::root("Test Root CA");
    let fake_sub = fake_root.intermediate("Test Issuing CA");
    let mut person = fake_sub.person(PersonOpts::new(SNILS, 23));
    person.chain_pem = fake_sub.pem.clone();
    let sig = pki::sign(&w.scratch, &person, CHALLENGE, true);
    assert_eq!(
        w.verify(&sig, CHALLENGE).await.unwrap_err(),
        QesError::Untrusted
    );
    // The fake intermediate attached to a genuine person's signature does not break a good path.
    let mut genuine = w.person(PersonOpts::new(SNILS, 24));
    genuine.chain_pem = format!("{}{}", fake_sub.pem, w.sub.pem);
    let sig = pki::sign(&w.scratch, &genuine, CHALLENGE, true);
    assert!(w.verify(&sig, CHALLENGE).await.is_ok());
}
