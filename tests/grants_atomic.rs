//! A grant and its first refresh token are stored together or not at all. benches/faults found a
//! grant without any token after a code exchange failed half-way (the disk under SQLite filled
//! between the grant and its refresh token); the token endpoint now prepares the grant and stores
//! it with the refresh token in one transaction.

mod common;

use common::*;
use vhod::store::grants::NewGrant;

fn new_grant<'a>(account: &'a str, client: &'a str) -> NewGrant<'a> {
    NewGrant {
        account_id: account,
        client_id: client,
        scopes: "openid profile",
        acr: vhod::authn::ACR_LOW,
        amr: r#"["pwd"]"#,
        auth_time: 1,
        claims: None,
        sid: None,
        dpop_jkt: None,
    }
}

#[tokio::test]
async fn a_grant_whose_first_refresh_token_cannot_be_stored_is_not_stored_either() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client, _) = t.add_client("https://rp.example/cb", false).await;
        let account = t.add_person("atomic@example.org").await;
        let store = &t.app.store;

        let first = store.prepare_grant(new_grant(&account, &client), None);
        assert!(
            store.grant(&first.id).await.unwrap().is_none(),
            "prepared is not stored"
        );
        store
            .save_grant(&first, Some(("hash-taken", 3600)))
            .await
            .unwrap();
        assert!(store.grant(&first.id).await.unwrap().is_some());
        let token = store.refresh_token("hash-taken").await.unwrap().unwrap();
        assert_eq!(token.grant_id, first.id, "{}", backend.name());

        // The second grant's refresh token cannot be written (its hash is taken): the grant row
        // written just before it in the same transaction goes too.
        let second = store.prepare_grant(new_grant(&account, &client), None);
        let failed = store.save_grant(&second, Some(("hash-taken", 3600))).await;
        assert!(
            failed.is_err(),
            "{}: the refresh token insert fails",
            backend.name()
        );
        assert!(
            store.grant(&second.id).await.unwrap().is_none(),
            "{}: no grant is left without its refresh token",
            backend.name()
        );
    }
}
