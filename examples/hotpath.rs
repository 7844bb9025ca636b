//! Times the pieces of a client_credentials token request and of a sign-in in-process (release
//! build), to see where the time goes: client lookup (store vs. node cache), secret hash, ES256 /
//! RS256 signing, one argon2id verification at the configured (production) cost.
//! Each line gives wall-clock µs per operation and the CPU µs this process spent per operation
//! (all threads, from /proc): on a busy shared machine the second is the figure to compare.
//!     cargo run --release --example hotpath

use std::time::Instant;
use vhod::clients::{self, NewClient};
use vhod::clock::Clock;
use vhod::config::Config;
use vhod::crypto::keyring::SigningAlg;

/// CPU nanoseconds this process's threads have run so far (the scheduler's own count).
fn cpu_ns() -> u64 {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(|t| t.ok())
                .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
                .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0)
}

struct Timer(Instant, u64);

fn start() -> Timer {
    Timer(Instant::now(), cpu_ns())
}

fn per_op(label: &str, n: u32, t: Timer) {
    let wall = t.0.elapsed().as_secs_f64() * 1e6 / f64::from(n);
    let cpu = (cpu_ns() - t.1) as f64 / 1e3 / f64::from(n);
    println!("{label:<36} {wall:>9.1} µs wall {cpu:>9.1} µs CPU");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = std::env::temp_dir().join(format!("vhod-hotpath-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut config = Config::defaults();
    config.database.url = format!("sqlite://{}/vhod.db", dir.display());
    config.keys.kek_file = dir.join("kek").display().to_string();
    config.password.max_concurrent = 1;
    let app = vhod::server::open(config, Clock::default()).await.unwrap();
    let (client, _) = clients::register(
        &app.store,
        NewClient {
            name: "bench".into(),
            grant_types: vec!["client_credentials".into()],
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    let n = 5000;
    let t = start();
    for _ in 0..n {
        clients::find(&app.store, &client.id)
            .await
            .unwrap()
            .unwrap();
    }
    per_op("client lookup (store)", n, t);
    let t = start();
    let cache = clients::ClientCache::default();
    for _ in 0..n {
        cache.find(&app.store, &client.id).await.unwrap().unwrap();
    }
    per_op("client lookup (node cache)", n, t);
    let t = start();
    for _ in 0..n {
        std::hint::black_box(vhod::crypto::hash_secret("client", "x".repeat(43).as_str()));
    }
    per_op("secret hash (SHA-256)", n, t);
    es256_raw(n);
    for alg in [SigningAlg::Es256, SigningAlg::Rs256] {
        let t = start();
        for _ in 0..n {
            let mut c = serde_json::Map::new();
            c.insert("sub".into(), "x".into());
            c.insert("jti".into(), vhod::crypto::random_token().into());
            std::hint::black_box(app.keyring.sign(alg, "at+jwt", c).unwrap());
        }
        per_op(&format!("keyring sign {}", alg.name()), n, t);
    }
    let hash = app.passwords.hash("Bench-2026!x").await.unwrap();
    let runs = 20;
    let t = start();
    for _ in 0..runs {
        assert!(app.passwords.verify("Bench-2026!x", Some(&hash)).await);
    }
    per_op("argon2id verify (worker pool)", runs, t);
    // The code before the worker pool: the argon2 crate's verifier, a fresh block every run.
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    let parsed = PasswordHash::new(&hash).unwrap();
    let t = start();
    for _ in 0..runs {
        assert!(
            argon2::Argon2::default()
                .verify_password(b"Bench-2026!x", &parsed)
                .is_ok()
        );
    }
    per_op("argon2id verify (fresh block each run)", runs, t);
    std::fs::remove_dir_all(dir).ok();
}

/// ES256 with ring alone, as `cargo bench --bench signing` measures it: the one-core rate the
/// client_credentials grant is compared with.
fn es256_raw(n: u32) {
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let msg = [b'x'; 300];
    let t = start();
    for _ in 0..n {
        std::hint::black_box(key.sign(&rng, &msg).unwrap());
    }
    per_op("ES256 sign (ring, raw)", n, t);
}
