//! Helpers of the organisation tests (tests/orgs_*.rs): valid requisites with their check digits,
//! a test PKI whose certificates name an organisation (ECDSA by rcgen, GOST by vhod's own
//! certificate code), confirmed people, and a server trusting both CAs.
#![allow(dead_code)]

use super::common::*;
use super::pki::{self, Scratch};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, SerialNumber, date_time_ymd,
};
use vhod::crypto::gost::certificate::{self, CertificateParams as GostParams};
use vhod::crypto::gost::{ParamSet, SigningKey};

fn digits(s: &str) -> Vec<u64> {
    s.chars()
        .map(|c| u64::from(c.to_digit(10).unwrap()))
        .collect()
}

/// ОГРН from its first 12 digits.
pub fn ogrn(body: &str) -> String {
    assert_eq!(body.len(), 12);
    let n: u64 = body.parse().unwrap();
    format!("{body}{}", n % 11 % 10)
}

/// ОГРНИП from its first 14 digits.
pub fn ogrnip(body: &str) -> String {
    assert_eq!(body.len(), 14);
    let n: u64 = body.parse().unwrap();
    format!("{body}{}", n % 13 % 10)
}

fn weighted(d: &[u64], w: &[u64]) -> u64 {
    d.iter().zip(w).map(|(a, b)| a * b).sum::<u64>() % 11 % 10
}

/// A legal entity's ИНН (10 digits) from its first 9.
pub fn inn10(body: &str) -> String {
    let d = digits(body);
    format!("{body}{}", weighted(&d, &[2, 4, 10, 3, 5, 9, 4, 6, 8]))
}

/// A person's ИНН (12 digits) from its first 10.
pub fn inn12(body: &str) -> String {
    let mut d = digits(body);
    let n11 = weighted(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
    d.push(n11);
    let n12 = weighted(&d, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
    format!("{body}{n11}{n12}")
}

/// A СНИЛС (11 digits) from its first 9 (above 001-001-998, so with a checksum).
pub fn snils(body: &str) -> String {
    let d = digits(body);
    let sum: u64 = d.iter().zip((1..=9).rev()).map(|(a, b)| a * b).sum();
    let check = match sum {
        s if s < 100 => s,
        100 | 101 => 0,
        s => match s % 101 {
            100 => 0,
            r => r,
        },
    };
    format!("{body}{check:02}")
}

/// What a head's certificate names.
pub struct Head<'a> {
    pub snils: &'a str,
    pub ogrn: &'a str,
    /// (OID, value) of the INN: 1.2.643.100.4 with 10 digits or 1.2.643.3.131.1.1 with "00" + 10.
    pub inn: (&'a str, String),
    pub org_name: &'a str,
}

pub const INN_LE: &str = "1.2.643.100.4";
pub const INN_OLD: &str = "1.2.643.3.131.1.1";

/// An ECDSA test CA (rcgen) issuing heads' certificates.
pub struct EcCa {
    params: CertificateParams,
    key: KeyPair,
    pub pem: String,
}

impl EcCa {
    pub fn new() -> EcCa {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name
            .push(DnType::CommonName, "Тестовый УЦ организаций");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.not_before = date_time_ymd(2020, 1, 1);
        p.not_after = date_time_ymd(2045, 1, 1);
        p.serial_number = Some(SerialNumber::from_slice(&[1]));
        p.key_identifier_method = KeyIdMethod::Sha256;
        let pem = p.self_signed(&key).unwrap().pem();
        EcCa {
            params: p,
            key,
            pem,
        }
    }

    /// (certificate PEM, key PEM) of a head.
    pub fn head(&self, h: &Head<'_>, serial: u8) -> pki::Person {
        self.head_with_key(h, serial, KeyPair::generate().unwrap())
    }

    /// A head whose own key is RSA (`rsa_pem`, PKCS#8 from the openssl CLI), issued by this CA.
    pub fn rsa_head(&self, h: &Head<'_>, serial: u8, rsa_pem: &str) -> pki::Person {
        self.head_with_key(h, serial, KeyPair::from_pem(rsa_pem).unwrap())
    }

    fn head_with_key(&self, h: &Head<'_>, serial: u8, key: KeyPair) -> pki::Person {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, h.org_name);
        p.distinguished_name
            .push(DnType::OrganizationName, h.org_name);
        p.distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 4]), "Иванов");
        p.distinguished_name
            .push(DnType::CustomDnType(vec![1, 2, 643, 100, 3]), h.snils);
        p.distinguished_name
            .push(DnType::CustomDnType(vec![1, 2, 643, 100, 1]), h.ogrn);
        let inn_oid: Vec<u64> = h.inn.0.split('.').map(|n| n.parse().unwrap()).collect();
        p.distinguished_name
            .push(DnType::CustomDnType(inn_oid), h.inn.1.as_str());
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        p.is_ca = IsCa::ExplicitNoCa;
        p.not_before = date_time_ymd(2024, 1, 1);
        p.not_after = date_time_ymd(2044, 1, 1);
        p.serial_number = Some(SerialNumber::from_slice(&[serial]));
        let cert = p
            .signed_by(&key, &Issuer::from_params(&self.params, &self.key))
            .unwrap();
        pki::Person {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            chain_pem: String::new(),
            serial,
        }
    }
}

/// A GOST test CA (512-bit) issuing 256-bit heads' certificates.
pub struct GostCa {
    key: SigningKey,
    name: &'static str,
    pub pem: String,
}

impl GostCa {
    pub fn new() -> GostCa {
        let key = SigningKey::generate(ParamSet::Tc26Gost512A).unwrap();
        let name = "CN=Тестовый УЦ ГОСТ организаций,O=vhod tests";
        let der = certificate::self_signed(&key, name, &[1], 1_577_836_800, 2_366_841_600).unwrap();
        GostCa {
            pem: certificate::to_pem(&der).unwrap(),
            key,
            name,
        }
    }

    /// (certificate PEM, PKCS#8 PEM) of a head.
    pub fn head(&self, h: &Head<'_>, serial: u8) -> (String, String) {
        let key = SigningKey::generate(ParamSet::CryptoProA).unwrap();
        let subject = format!(
            "CN=Иванов Иван,O={},2.5.4.4=Иванов,1.2.643.100.3={},1.2.643.100.1={},{}={}",
            h.org_name, h.snils, h.ogrn, h.inn.0, h.inn.1
        );
        let der = certificate::issue(
            &self.key,
            self.name,
            &key.verifying_key(),
            &GostParams {
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
}

/// A detached signature (DER) over `challenge` made by vhod's signer (GOST and ECDSA alike).
pub fn sign(challenge: &str, cert_pem: &str, key_pem: &str) -> Vec<u8> {
    vhod::crypto::qes::sign::sign_detached(
        challenge.as_bytes(),
        cert_pem.as_bytes(),
        key_pem.as_bytes(),
        b"",
    )
    .unwrap()
}

/// A detached signature made by the openssl CLI (as a person signs from a terminal).
pub fn sign_openssl(scratch: &Scratch, person: &pki::Person, challenge: &str) -> Vec<u8> {
    pki::sign(scratch, person, challenge, true).into_bytes()
}

/// Both CAs and a server (on `backend`) trusting them.
pub struct World {
    pub t: TestServer,
    pub ec: EcCa,
    pub gost: GostCa,
    pub scratch: Scratch,
}

pub async fn world(backend: &Backend) -> World {
    let scratch = Scratch::new();
    let ec = EcCa::new();
    let gost = GostCa::new();
    let trust = scratch.path("trust");
    std::fs::create_dir_all(&trust).unwrap();
    std::fs::write(trust.join("ec.pem"), &ec.pem).unwrap();
    std::fs::write(trust.join("gost.pem"), &gost.pem).unwrap();
    let mut config = test_config(backend);
    config.qes.trust_dir = trust.display().to_string();
    config.qes.require_crl = false;
    let t = TestServer::start_with(backend, config).await;
    World {
        t,
        ec,
        gost,
        scratch,
    }
}

/// A person with a verified SNILS at the confirmed level; returns the account id.
pub async fn confirmed(t: &TestServer, contact: &str, snils: &str) -> String {
    let id = standard(t, contact, snils).await;
    t.app.store.set_level(&id, "confirmed").await.unwrap();
    id
}

/// A person with a verified SNILS, not confirmed.
pub async fn standard(t: &TestServer, contact: &str, snils: &str) -> String {
    let id = t.add_person(contact).await;
    t.app
        .store
        .add_verified_identifier(&id, "snils", snils)
        .await
        .unwrap();
    t.app.store.set_level(&id, "standard").await.unwrap();
    id
}

/// Audit actions written about organisation `oid`.
pub async fn audit_actions(t: &TestServer, oid: i64) -> Vec<String> {
    let target = format!("org:{oid}");
    t.app
        .store
        .audit_since(0)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.target == target)
        .map(|r| r.action)
        .collect()
}
