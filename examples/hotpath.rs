//! Times the pieces of a client_credentials token request in-process (release build), to see where
//! the time goes: client lookup (store vs. node cache), secret hash, ES256/RS256 signing.
//!     cargo run --release --example hotpath

use std::time::Instant;
use vhod::clients::{self, NewClient};
use vhod::clock::Clock;
use vhod::config::Config;
use vhod::crypto::keyring::SigningAlg;

fn per_op(label: &str, n: u32, t0: Instant) {
    println!(
        "{label:<32} {:>8.1} µs",
        t0.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = std::env::temp_dir().join(format!("vhod-hotpath-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut config = Config::defaults();
    config.database.url = format!("sqlite://{}/vhod.db", dir.display());
    config.keys.kek_file = dir.join("kek").display().to_string();
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
    let t0 = Instant::now();
    for _ in 0..n {
        clients::find(&app.store, &client.id)
            .await
            .unwrap()
            .unwrap();
    }
    per_op("client lookup (store)", n, t0);
    let t0 = Instant::now();
    let cache = clients::ClientCache::default();
    for _ in 0..n {
        cache.find(&app.store, &client.id).await.unwrap().unwrap();
    }
    per_op("client lookup (node cache)", n, t0);
    let t0 = Instant::now();
    for _ in 0..n {
        std::hint::black_box(vhod::crypto::hash_secret("client", "x".repeat(43).as_str()));
    }
    per_op("secret hash (SHA-256)", n, t0);
    for alg in [SigningAlg::Es256, SigningAlg::Rs256] {
        let t0 = Instant::now();
        for _ in 0..n {
            let mut c = serde_json::Map::new();
            c.insert("sub".into(), "x".into());
            c.insert("jti".into(), vhod::crypto::random_token().into());
            std::hint::black_box(app.keyring.sign(alg, "at+jwt", c).unwrap());
        }
        per_op(&format!("sign {}", alg.name()), n, t0);
    }
    std::fs::remove_dir_all(dir).ok();
}
