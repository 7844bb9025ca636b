//! Signing and verification speed: GOST R 34.10-2012 (vhod's own, src/crypto/gost) beside the
//! algorithms vhod signs tokens with today — ES256 (ring, as crypto/signer.rs signs) and RS256
//! with a 2048-bit key (josekit/OpenSSL as crypto/signer.rs signs, and ring for comparison).
//!
//! The `keyring …` rows sign and verify a whole token through `Keyring` (header, base64url, the
//! `JwsSign` seam; verification with vhod's own compact-JWS verifier), per algorithm.
//!
//! cargo bench --bench signing -- --warm-up-time 1 --measurement-time 3

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use josekit::jws::{JwsSigner, JwsVerifier, RS256};
use ring::rand::SystemRandom;
use ring::signature::{self as rs, KeyPair};
use vhod::crypto::gost::{ParamSet, SigningKey};

/// A JWS-sized input: header.payload of a small ID token.
const MSG: &[u8] = b"eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3Zob2QuZXhhbXBsZSIsInN1YiI6IjEyMzQ1Njc4OTAiLCJhdWQiOiJwb3J0YWwiLCJleHAiOjE3MDAwMDAwMDAsImlhdCI6MTcwMDAwMDAwMH0";

fn gost(c: &mut Criterion) {
    for (label, ps) in [
        ("GOST-256 paramSetA", ParamSet::Tc26Gost256A),
        ("GOST-256 paramSetB", ParamSet::Tc26Gost256B),
        ("GOST-512 paramSetA", ParamSet::Tc26Gost512A),
    ] {
        let key = SigningKey::generate(ps).expect("GOST key");
        let vk = key.verifying_key();
        let sig = key.sign(MSG).expect("GOST signature");
        c.bench_function(&format!("{label} sign"), |b| {
            b.iter(|| key.sign(black_box(MSG)).expect("sign"))
        });
        c.bench_function(&format!("{label} verify"), |b| {
            b.iter(|| vk.verify(black_box(MSG), black_box(&sig)).expect("verify"))
        });
    }
}

fn es256(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let alg = &rs::ECDSA_P256_SHA256_FIXED_SIGNING;
    let pkcs8 = rs::EcdsaKeyPair::generate_pkcs8(alg, &rng).expect("P-256 key");
    let key = rs::EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).expect("P-256 key");
    let public = rs::UnparsedPublicKey::new(
        &rs::ECDSA_P256_SHA256_FIXED,
        key.public_key().as_ref().to_vec(),
    );
    let sig = key.sign(&rng, MSG).expect("ES256").as_ref().to_vec();
    c.bench_function("ES256 (ring) sign", |b| {
        b.iter(|| key.sign(&rng, black_box(MSG)).expect("sign"))
    });
    c.bench_function("ES256 (ring) verify", |b| {
        b.iter(|| {
            public
                .verify(black_box(MSG), black_box(&sig))
                .expect("verify")
        })
    });
}

fn rs256(c: &mut Criterion) {
    let pair = RS256.generate_key_pair(2048).expect("RSA key");
    let signer = RS256
        .signer_from_der(pair.to_der_private_key())
        .expect("RS256 signer");
    let verifier = RS256
        .verifier_from_der(pair.to_der_public_key())
        .expect("RS256 verifier");
    let sig = signer.sign(MSG).expect("RS256");
    c.bench_function("RS256-2048 (josekit/OpenSSL) sign", |b| {
        b.iter(|| signer.sign(black_box(MSG)).expect("sign"))
    });
    c.bench_function("RS256-2048 (josekit/OpenSSL) verify", |b| {
        b.iter(|| {
            verifier
                .verify(black_box(MSG), black_box(&sig))
                .expect("verify")
        })
    });

    let rng = SystemRandom::new();
    let key = rs::RsaKeyPair::from_pkcs8(&pair.to_der_private_key()).expect("ring RSA key");
    let public = rs::UnparsedPublicKey::new(
        &rs::RSA_PKCS1_2048_8192_SHA256,
        key.public().as_ref().to_vec(),
    );
    let mut out = vec![0u8; key.public().modulus_len()];
    c.bench_function("RS256-2048 (ring) sign", |b| {
        b.iter(|| {
            key.sign(&rs::RSA_PKCS1_SHA256, &rng, black_box(MSG), &mut out)
                .expect("sign")
        })
    });
    c.bench_function("RS256-2048 (ring) verify", |b| {
        b.iter(|| {
            public
                .verify(black_box(MSG), black_box(&sig))
                .expect("verify")
        })
    });
}

/// Whole tokens through the keyring (a throw-away SQLite store and KEK), as the token endpoint
/// signs them and userinfo/introspection verify them.
fn keyring(c: &mut Criterion) {
    use vhod::crypto::keyring::{Keyring, SigningAlg};
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = std::env::temp_dir().join(format!("vhod-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let mut config = vhod::config::Config::defaults();
    config.database.url = format!("sqlite://{}", dir.join("vhod.db").display());
    let ring = rt.block_on(async {
        let store = vhod::store::Store::connect(&config, vhod::clock::Clock::default())
            .await
            .expect("store");
        let kek = vhod::crypto::kek::Kek::load_or_create(&dir.join("kek")).expect("kek");
        Keyring::open(&store, kek, 2048, "https://id.example.org")
            .await
            .expect("keyring")
    });
    let serde_json::Value::Object(claims) = serde_json::json!({
        "iss": "https://id.example.org", "sub": "1234567890", "aud": "portal",
        "exp": 1_700_000_000, "iat": 1_700_000_000, "acr": "urn:vhod:acr:low",
    }) else {
        unreachable!()
    };
    for alg in SigningAlg::ALL {
        let token = ring.sign(alg, "JWT", claims.clone()).expect("token");
        c.bench_function(&format!("keyring {} token sign", alg.name()), |b| {
            b.iter(|| {
                ring.sign(alg, "JWT", black_box(claims.clone()))
                    .expect("sign")
            })
        });
        c.bench_function(&format!("keyring {} token verify", alg.name()), |b| {
            b.iter(|| ring.verify(black_box(&token)).expect("verify"))
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, gost, es256, rs256, keyring);
criterion_main!(benches);
