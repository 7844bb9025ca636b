//! GOST R 34.10-2012 against OpenSSL's gost engine, offline: the fixtures in
//! tests/fixtures/gost/ were made by `openssl` with the engine (see the README there); this test
//! only reads them, so `cargo test` needs no engine. The live check in the other direction
//! (vhod signs, openssl verifies) is conformance/gost/openssl-check.sh.

use std::path::PathBuf;

use vhod::crypto::gost::{
    self, GostError, KeySize, ParamSet, SigningKey, VerifyingKey, verify_certificate_signature,
};

/// Fixture name (`<bits>-<openssl paramset>`) and the parameter set it must decode to.
const SETS: [(&str, ParamSet); 13] = [
    ("256-TCA", ParamSet::Tc26Gost256A),
    ("256-TCB", ParamSet::Tc26Gost256B),
    ("256-TCC", ParamSet::Tc26Gost256C),
    ("256-TCD", ParamSet::Tc26Gost256D),
    ("256-A", ParamSet::CryptoProA),
    ("256-B", ParamSet::CryptoProB),
    ("256-C", ParamSet::CryptoProC),
    ("256-XA", ParamSet::CryptoProXchA),
    ("256-XB", ParamSet::CryptoProXchB),
    ("256-0", ParamSet::Test256),
    ("512-A", ParamSet::Tc26Gost512A),
    ("512-B", ParamSet::Tc26Gost512B),
    ("512-C", ParamSet::Tc26Gost512C),
];

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gost")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(name: &str) -> String {
    String::from_utf8(fixture(name)).expect("PEM is text")
}

fn pem_der(name: &str) -> Vec<u8> {
    der::pem::decode_vec(&fixture(name)).expect("PEM").1
}

#[test]
fn every_engine_parameter_set_is_covered() {
    let mut covered: Vec<ParamSet> = SETS.iter().map(|(_, ps)| *ps).collect();
    covered.push(ParamSet::Test512); // the engine does not offer it
    for ps in ParamSet::ALL {
        assert!(covered.contains(&ps), "{ps} has no OpenSSL fixture");
        if let Some((alg, set)) = ps.openssl_name() {
            let bits = &alg["gost2012_".len()..];
            assert!(
                SETS.iter()
                    .any(|(n, p)| *n == format!("{bits}-{set}") && *p == ps)
            );
        }
    }
}

#[test]
fn openssl_keys_read_and_write_back_byte_for_byte() {
    for (name, ps) in SETS {
        let key = SigningKey::from_pkcs8_pem(&text(&format!("{name}.key.pem")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.param_set(), ps, "{name}");
        assert_eq!(
            *key.to_pkcs8_der().unwrap(),
            pem_der(&format!("{name}.key.pem")),
            "{name}"
        );

        // The public key vhod derives is the one openssl wrote, in SPKI and in the certificate.
        let spki = VerifyingKey::from_public_key_pem(&text(&format!("{name}.pub.pem"))).unwrap();
        assert_eq!(key.verifying_key(), spki, "{name}: derived public key");
        assert_eq!(
            spki.to_spki_der().unwrap(),
            pem_der(&format!("{name}.pub.pem")),
            "{name}"
        );
        let from_cert =
            VerifyingKey::from_certificate_pem(&text(&format!("{name}.cert.pem"))).unwrap();
        assert_eq!(from_cert, spki, "{name}: certificate key");
    }
}

#[test]
fn openssl_signatures_verify() {
    let msg = fixture("message.txt");
    for (name, ps) in SETS {
        let vk = VerifyingKey::from_public_key_pem(&text(&format!("{name}.pub.pem"))).unwrap();
        let sig = fixture(&format!("{name}.sig"));
        assert_eq!(sig.len(), ps.key_size().signature_len(), "{name}");
        vk.verify(&msg, &sig)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // Same thing through the digest entry point.
        let digest = gost::streebog_for(ps.key_size(), &msg);
        vk.verify_digest(&digest, &sig).unwrap();

        let mut other = msg.clone();
        other.push(b'!');
        assert_eq!(
            vk.verify(&other, &sig),
            Err(GostError::BadSignature),
            "{name}"
        );
        let mut bad = sig.clone();
        bad[3] ^= 0x80;
        assert!(vk.verify(&msg, &bad).is_err(), "{name}");
        // CryptoPro's byte order is not OpenSSL's; converting back makes it verify again.
        let cp = gost::signature_to_cryptopro(&sig).unwrap();
        assert!(vk.verify(&msg, &cp).is_err());
        vk.verify(&msg, &gost::signature_from_cryptopro(&cp).unwrap())
            .unwrap();
    }
}

#[test]
fn openssl_certificates_verify() {
    for (name, ps) in SETS {
        let cert = pem_der(&format!("{name}.cert.pem"));
        let issuer = VerifyingKey::from_certificate_der(&cert).unwrap();
        verify_certificate_signature(&cert, &issuer).unwrap_or_else(|e| panic!("{name}: {e}"));

        // Another key of the same size does not verify it; one of the other size is refused.
        let other = SigningKey::generate(ps).unwrap().verifying_key();
        assert_eq!(
            verify_certificate_signature(&cert, &other),
            Err(GostError::BadSignature)
        );
        let other_size = match ps.key_size() {
            KeySize::Bits256 => ParamSet::Tc26Gost512A,
            KeySize::Bits512 => ParamSet::Tc26Gost256A,
        };
        let wrong = SigningKey::generate(other_size).unwrap().verifying_key();
        assert_eq!(
            verify_certificate_signature(&cert, &wrong),
            Err(GostError::KeySizeMismatch)
        );
        // A changed byte inside the TBSCertificate (in the subject name) breaks the signature.
        let mut tampered = cert.clone();
        let at = tampered
            .windows(7)
            .position(|w| w == b"fixture")
            .expect("subject CN in the certificate");
        tampered[at] = b'F';
        assert!(verify_certificate_signature(&tampered, &issuer).is_err());
    }
}

#[test]
fn vhod_signatures_verify_with_the_openssl_key() {
    // vhod signs with openssl's private key; the signature checks against openssl's SPKI.
    let msg = fixture("message.txt");
    for (name, _) in SETS {
        let key = SigningKey::from_pkcs8_pem(&text(&format!("{name}.key.pem"))).unwrap();
        let vk = VerifyingKey::from_public_key_pem(&text(&format!("{name}.pub.pem"))).unwrap();
        vk.verify(&msg, &key.sign(&msg).unwrap()).unwrap();
    }
}

#[test]
fn non_gost_keys_and_certificates_are_refused() {
    use rcgen::PublicKeyData;
    let ecdsa = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["example.org".into()]).unwrap();
    let cert = params.self_signed(&ecdsa).unwrap();
    assert!(VerifyingKey::from_certificate_der(cert.der()).is_err());
    assert!(VerifyingKey::from_spki_der(&ecdsa.subject_public_key_info()).is_err());
    assert!(SigningKey::from_pkcs8_der(&ecdsa.serialize_der()).is_err());
    let gost_key = VerifyingKey::from_public_key_pem(&text("256-TCA.pub.pem")).unwrap();
    assert!(matches!(
        verify_certificate_signature(cert.der(), &gost_key),
        Err(GostError::UnsupportedAlgorithm(_))
    ));
}
