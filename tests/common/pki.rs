//! A small test PKI for signature login: root and intermediate CAs, personal certificates (with a
//! SNILS in the subject, OID 1.2.643.100.3), CRLs — built with rcgen — and detached CMS signatures
//! made by the openssl CLI, the way a person would sign from a terminal.
//! Used by tests/qes.rs and, through `#[path]`, by the unit tests of src/authn/qes.
#![allow(dead_code)]

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, Issuer,
    KeyIdMethod, KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber, date_time_ymd,
};
use std::path::PathBuf;
use std::process::Command;

pub struct Ca {
    pub name: String,
    params: CertificateParams,
    key: KeyPair,
    pub pem: String,
}

pub struct Person {
    pub cert_pem: String,
    pub key_pem: String,
    /// Intermediate certificates to attach to signatures.
    pub chain_pem: String,
    pub serial: u8,
}

/// A scratch directory removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("vhod-qes-{}-{}", std::process::id(), uuid_like()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, contents: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, contents).unwrap();
        p.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos}-{}", N.fetch_add(1, Ordering::Relaxed))
}

fn ca_params(name: &str, serial: u8) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.distinguished_name
        .push(DnType::OrganizationName, "Test CA");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(2045, 1, 1);
    p.serial_number = Some(SerialNumber::from_slice(&[serial]));
    p.key_identifier_method = KeyIdMethod::Sha256;
    p
}

impl Ca {
    pub fn root(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let params = ca_params(name, 1);
        let pem = params.self_signed(&key).unwrap().pem();
        Ca {
            name: name.into(),
            params,
            key,
            pem,
        }
    }

    pub fn intermediate(&self, name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let params = ca_params(name, 2);
        let pem = params.signed_by(&key, &self.issuer()).unwrap().pem();
        Ca {
            name: name.into(),
            params,
            key,
            pem,
        }
    }

    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    /// A personal certificate (ECDSA P-256 unless `rsa_key_pem` is given).
    pub fn person(&self, opts: PersonOpts<'_>) -> Person {
        let key = match opts.rsa_key_pem {
            Some(pem) => KeyPair::from_pem(pem).unwrap(),
            None => KeyPair::generate().unwrap(),
        };
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, "Иванов Иван");
        p.distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 4]), "Иванов");
        if let Some(snils) = opts.snils {
            p.distinguished_name
                .push(DnType::CustomDnType(vec![1, 2, 643, 100, 3]), snils);
        }
        p.key_usages = opts.key_usages.unwrap_or_else(|| {
            vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ]
        });
        p.is_ca = IsCa::ExplicitNoCa;
        p.not_before = date_time_ymd(opts.valid.0, 1, 1);
        p.not_after = date_time_ymd(opts.valid.1, 1, 1);
        p.serial_number = Some(SerialNumber::from_slice(&[opts.serial]));
        let cert = p.signed_by(&key, &self.issuer()).unwrap();
        Person {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            chain_pem: String::new(),
            serial: opts.serial,
        }
    }

    /// A CRL of this CA revoking `serials`.
    pub fn crl(&self, serials: &[u8]) -> String {
        let params = CertificateRevocationListParams {
            this_update: date_time_ymd(2025, 1, 1),
            next_update: date_time_ymd(2044, 1, 1),
            crl_number: SerialNumber::from_slice(&[1]),
            issuing_distribution_point: None,
            revoked_certs: serials
                .iter()
                .map(|s| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&[*s]),
                    revocation_time: date_time_ymd(2025, 6, 1),
                    reason_code: None,
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        params.signed_by(&self.issuer()).unwrap().pem().unwrap()
    }
}

pub struct PersonOpts<'a> {
    pub snils: Option<&'a str>,
    pub serial: u8,
    /// Years of notBefore and notAfter (1 January each).
    pub valid: (i32, i32),
    pub key_usages: Option<Vec<KeyUsagePurpose>>,
    pub rsa_key_pem: Option<&'a str>,
}

impl<'a> PersonOpts<'a> {
    pub fn new(snils: &'a str, serial: u8) -> PersonOpts<'a> {
        PersonOpts {
            snils: Some(snils),
            serial,
            valid: (2024, 2044),
            key_usages: None,
            rsa_key_pem: None,
        }
    }
}

/// A 2048-bit RSA private key (PKCS#8 PEM) from the openssl CLI (rcgen cannot generate RSA).
pub fn rsa_key_pem(scratch: &Scratch) -> String {
    let out = scratch.path("rsa.key");
    run(Command::new("openssl").args([
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        out.to_str().unwrap(),
    ]));
    std::fs::read_to_string(out).unwrap()
}

/// A detached CMS signature (PEM) over `content`, as `openssl cms -sign` makes it. `attributes`
/// false adds `-noattr` (the signature then covers the content itself).
pub fn sign(scratch: &Scratch, person: &Person, content: &str, attributes: bool) -> String {
    let tag = uuid_like();
    let input = scratch.write(&format!("in-{tag}"), content);
    let cert = scratch.write(&format!("cert-{tag}.pem"), &person.cert_pem);
    let key = scratch.write(&format!("key-{tag}.pem"), &person.key_pem);
    let out = scratch.path(&format!("sig-{tag}.pem"));
    let mut cmd = Command::new("openssl");
    cmd.args([
        "cms", "-sign", "-binary", "-md", "sha256", "-in", &input, "-signer", &cert, "-inkey",
        &key, "-outform", "PEM", "-out",
    ])
    .arg(&out);
    if !person.chain_pem.is_empty() {
        let chain = scratch.write(&format!("chain-{tag}.pem"), &person.chain_pem);
        cmd.args(["-certfile", &chain]);
    }
    if !attributes {
        cmd.arg("-noattr");
    }
    run(&mut cmd);
    std::fs::read_to_string(out).unwrap()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("the openssl CLI is installed");
    assert!(
        out.status.success(),
        "openssl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes a trust directory holding `roots`; returns its path.
pub fn trust_dir(scratch: &Scratch, roots: &[&Ca]) -> String {
    let dir = scratch.path("trust");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, ca) in roots.iter().enumerate() {
        std::fs::write(dir.join(format!("ca{i}.pem")), &ca.pem).unwrap();
    }
    dir.display().to_string()
}
