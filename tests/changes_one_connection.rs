//! An operator's change holds its database connection until it commits with its audit entry, so
//! what it reads on the way comes through that connection, never a second one from the pool: with
//! a pool of one (or a pool every connection of which a change holds) a second acquisition waits
//! out the acquire timeout. These changes failed that way (PoolTimedOut, 503 over the admin API)
//! before they read through the change.

mod common;
mod esia_rp;

use common::*;
use esia_rp::*;
use vhod::clients::esia::{self, EsiaFlags, NewEsiaClient};

#[tokio::test]
async fn operator_changes_complete_on_a_pool_of_one_connection() {
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    config.database.max_connections = 1;
    config.database.acquire_timeout_secs = 1;
    let t = TestServer::start_with(&backend, config).await;

    // A portal's redirect URIs (the admin API, the console and `vhod clients update`).
    let (id, _) = t.add_client("https://rp.example/cb", false).await;
    let moved = vec!["https://rp.example/moved".to_string()];
    vhod::clients::set_redirect_uris(&t.app, &vhod::clients::ClientCache::default(), &id, &moved)
        .await
        .expect("redirect URIs changed on one connection");
    let client = vhod::clients::find(&t.app.store, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(client.redirect_uris, moved);

    // An ESIA portal's flags.
    esia::register(
        &t.app.store,
        NewEsiaClient {
            client_id: "PORTAL_ONE".into(),
            name: "Портал".into(),
            certificate: CERT_PEM.as_bytes().to_vec(),
            redirect_uris: vec![PORTAL_REDIRECT.into()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let flags = EsiaFlags {
        legacy: Some(true),
        require_pkce: None,
    };
    let (changed, change) = esia::set_flags_staged(&t.app.store, "PORTAL_ONE", flags)
        .await
        .expect("ESIA flags changed on one connection");
    change.commit_unaudited().await.unwrap();
    assert!(changed.legacy);
    let stored = esia::find(&t.app.store, "PORTAL_ONE")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.legacy, "the flag is stored");
    assert_eq!(stored.certificates.len(), 1);

    // A KEK rewrap of the signing keys and the authenticator-app secrets.
    let kek_file = std::env::temp_dir().join(format!("vhod-kek-{}", uuid::Uuid::now_v7()));
    let new = vhod::crypto::kek::Kek::load_or_create(&kek_file).unwrap();
    let keys = t.app.store.all_signing_keys().await.unwrap().len();
    assert_eq!(
        t.app.keyring.rewrap(&t.app.store, &new).await.unwrap(),
        keys,
        "every signing key resealed on one connection"
    );
    assert_eq!(
        t.app.keyring.rewrap_totp(&t.app.store, &new).await.unwrap(),
        0
    );
    let _ = std::fs::remove_file(&kek_file);
}
