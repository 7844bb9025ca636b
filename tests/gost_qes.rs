//! Qualified-signature login and certificate binding with GOST R 34.10-2012: a CMS made by
//! OpenSSL's gost engine (committed fixture, tests/fixtures/gost/cms/generate.sh) verifies with
//! its path and SNILS; a GOST CA and personal certificate made in the test (with a SNILS, a
//! GOST-signed CRL) bind and sign in over HTTP with a CMS built by vhod's signer
//! (`vhod sign-challenge`'s code), and the signer refuses a key that is not the certificate's.

mod common;

use common::*;
use std::time::Duration;
use vhod::crypto::gost::certificate::{self, CertificateParams};
use vhod::crypto::gost::{self, ParamSet, SigningKey};
use vhod::crypto::qes::{QesError, chain, cms, parse_certificates, sign, snils_of};

const CMS_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gost/cms");
const EMAIL: &str = "gost-signer@example.org";

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{CMS_FIXTURES}/{name}")).unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn a_cms_signed_by_openssls_gost_engine_verifies_with_its_path_and_snils() {
    let challenge = read("challenge.txt");
    let der = cms::decode_input(&read("challenge.cms.pem")).unwrap();
    let signed = cms::verify_detached(&der, &challenge).expect("OpenSSL's GOST CMS verifies");
    let anchors = parse_certificates(&read("ca.cert.pem"));
    let path =
        chain::build(&signed.signer, &signed.others, &anchors, now()).expect("path to the GOST CA");
    assert_eq!(path.len(), 2);
    assert_eq!(
        snils_of(&signed.signer).map(|s| s.to_string()),
        Some("112-233-445 95".into())
    );
    // Another challenge, or a signature byte changed: refused.
    assert_eq!(
        cms::verify_detached(&der, b"another challenge").unwrap_err(),
        QesError::WrongChallenge
    );
    let mut broken = der.clone();
    let at = broken.len() - 10;
    broken[at] ^= 1;
    assert!(cms::verify_detached(&broken, &challenge).is_err());
    // vhod's own signer with the same OpenSSL key and certificate: verifies the same way.
    let mine = sign::sign_detached(
        &challenge,
        &read("signer.cert.pem"),
        &read("signer.key.pem"),
        b"",
    )
    .unwrap();
    cms::verify_detached(&mine, &challenge).expect("vhod's GOST CMS verifies");
    // A key that is not the certificate's is refused before signing.
    let other = SigningKey::generate(ParamSet::CryptoProA).unwrap();
    let err = sign::sign_detached(
        &challenge,
        &read("signer.cert.pem"),
        other.to_pkcs8_pem().unwrap().as_bytes(),
        b"",
    )
    .unwrap_err();
    assert!(err.to_string().contains("does not belong"), "{err}");
}

/// A GOST CA (512-bit, TC26 A) issuing 256-bit personal certificates, and its CRL.
struct GostCa {
    key: SigningKey,
    name: &'static str,
    pem: String,
}

impl GostCa {
    fn new() -> GostCa {
        let key = SigningKey::generate(ParamSet::Tc26Gost512A).unwrap();
        let name = "CN=Тестовый УЦ ГОСТ,O=vhod tests";
        let der = certificate::self_signed(&key, name, &[1], 1_577_836_800, 2_366_841_600).unwrap();
        GostCa {
            pem: certificate::to_pem(&der).unwrap(),
            key,
            name,
        }
    }

    /// (certificate PEM, PKCS#8 PEM) of a person with `snils` (11 digits).
    fn person(&self, snils: &str, serial: u8) -> (String, String) {
        let key = SigningKey::generate(ParamSet::CryptoProA).unwrap();
        let subject = format!("CN=Иванов Иван,2.5.4.4=Иванов,1.2.643.100.3={snils}");
        let der = certificate::issue(
            &self.key,
            self.name,
            &key.verifying_key(),
            &CertificateParams {
                subject: &subject,
                serial: &[serial],
                not_before: 1_577_836_800,
                not_after: 2_366_841_600,
                ca: false,
            },
        )
        .unwrap();
        (
            certificate::to_pem(&der).unwrap(),
            key.to_pkcs8_pem().unwrap().to_string(),
        )
    }

    /// A CRL signed with the CA's GOST key, revoking `serials`.
    fn crl(&self, serials: &[u8]) -> Vec<u8> {
        use der::Encode;
        use std::str::FromStr;
        use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
        use x509_cert::time::Time;
        let time = |unix: u64| {
            Time::UtcTime(
                der::asn1::UtcTime::from_unix_duration(Duration::from_secs(unix)).unwrap(),
            )
        };
        let alg = spki::AlgorithmIdentifierOwned {
            oid: gost::OID_SIGN_WITH_STREEBOG512,
            parameters: None,
        };
        let revoked: Vec<RevokedCert> = serials
            .iter()
            .map(|s| RevokedCert {
                serial_number: x509_cert::serial_number::SerialNumber::new(&[*s]).unwrap(),
                revocation_date: time(1_735_689_600),
                crl_entry_extensions: None,
            })
            .collect();
        let tbs = TbsCertList {
            version: x509_cert::Version::V2,
            signature: alg.clone(),
            issuer: x509_cert::name::Name::from_str(self.name).unwrap(),
            this_update: time(1_735_689_600),
            next_update: Some(time(2_208_988_800)),
            revoked_certificates: (!revoked.is_empty()).then_some(revoked),
            crl_extensions: None,
        };
        let signature = self.key.sign(&tbs.to_der().unwrap()).unwrap();
        CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: alg,
            signature: der::asn1::BitString::from_bytes(&signature).unwrap(),
        }
        .to_der()
        .unwrap()
    }
}

fn hidden(html: &str, name: &str) -> String {
    hidden_fields(html)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no hidden field {name} in {html}"))
}

fn sign_b64(challenge: &str, cert: &str, key: &str) -> String {
    use base64::Engine;
    let der =
        sign::sign_detached(challenge.as_bytes(), cert.as_bytes(), key.as_bytes(), b"").unwrap();
    base64::engine::general_purpose::STANDARD.encode(der)
}

#[tokio::test]
async fn a_gost_certificate_with_a_snils_binds_and_signs_in() {
    for backend in backends() {
        let dir =
            std::env::temp_dir().join(format!("vhod-gost-qes-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(dir.join("trust")).unwrap();
        let ca = GostCa::new();
        std::fs::write(dir.join("trust/gost-ca.pem"), &ca.pem).unwrap();
        std::fs::write(dir.join("gost.crl"), ca.crl(&[66])).unwrap();
        let mut config = test_config(&backend);
        config.qes.trust_dir = dir.join("trust").display().to_string();
        config.qes.crls = dir.join("gost.crl").display().to_string();
        config.qes.require_crl = true;
        let t = TestServer::start_with(&backend, config).await;
        let account = t.add_person(EMAIL).await;
        t.app
            .store
            .add_verified_identifier(&account, "snils", "11223344595")
            .await
            .unwrap();
        let (cert, key) = ca.person("11223344595", 10);

        // Binding: password login, the settings page's challenge signed, the e-mailed code.
        let b = Browser::new(&t.base);
        let Landing::Page(200, page) = b.follow("/login").await else {
            panic!("no login page");
        };
        let Landing::Page(200, _) = b
            .submit_follow(&page, "/login", &[("login", EMAIL), ("password", PASSWORD)])
            .await
        else {
            panic!("password login failed");
        };
        let Landing::Page(200, page) = b.follow("/account/signature").await else {
            panic!("no settings page");
        };
        let sig = sign_b64(&hidden(&page, "challenge"), &cert, &key);
        let res = b
            .submit(&page, "/account/signature/bind", &[("signature", &sig)])
            .await;
        let next = location(&res).unwrap_or_else(|| panic!("binding refused: {}", backend.name()));
        let Landing::Page(200, page) = b.follow(&next).await else {
            panic!("no code page");
        };
        let body = t.last_message(EMAIL).await["body"]
            .as_str()
            .unwrap()
            .to_string();
        let code = body
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .expect("6-digit code")
            .to_string();
        match b
            .submit_follow(&page, "/account/signature/confirm", &[("code", &code)])
            .await
        {
            Landing::Page(200, html) => {
                assert!(html.contains("Сертификат привязан"), "{html}");
                assert!(html.contains("Тестовый УЦ ГОСТ"), "{html}");
            }
            other => panic!("binding not confirmed: {other:?}"),
        }

        // Signature login with the GOST certificate.
        let login = |cert: String, key: String| {
            let base = t.base.clone();
            async move {
                let fresh = Browser::new(&base);
                let Landing::Page(200, page) = fresh.follow("/login/signature").await else {
                    panic!("no signature login page");
                };
                // The page says GOST certificates (e.g. CryptoPro's) work as well as RSA/ECDSA.
                assert!(page.contains("id=\"gost-hint\"") && page.contains("КриптоПро CSP"));
                let sig = sign_b64(&hidden(&page, "challenge"), &cert, &key);
                let res = fresh
                    .submit(&page, "/login/signature", &[("signature", &sig)])
                    .await;
                (fresh, res)
            }
        };
        let (fresh, res) = login(cert.clone(), key.clone()).await;
        assert_eq!(
            location(&res).as_deref(),
            Some("/account"),
            "{}",
            backend.name()
        );
        let Landing::Page(200, html) = fresh.follow("/account").await else {
            panic!("no account page after GOST signature login");
        };
        assert!(html.contains("Иванов Иван"), "{html}");

        // The CRL is GOST-signed too: a revoked certificate is refused.
        let (revoked_cert, revoked_key) = ca.person("11223344595", 66);
        let (_, res) = login(revoked_cert, revoked_key).await;
        assert_eq!(res.status().as_u16(), 401);
        assert!(res.text().await.unwrap().contains("Сертификат отозван"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
