//! Signing-key lifecycle: pre-publication, activation, retirement, expiry, revocation across nodes.

mod common;

use common::*;
use serde_json::Value;
use vhod::crypto::keyring::{Revoked, SigningAlg};
use vhod::crypto::maintenance;

fn kid_of(jwt: &str) -> String {
    use base64::Engine;
    let h = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwt.split('.').next().unwrap())
        .unwrap();
    serde_json::from_slice::<Value>(&h).unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn jwks_kids(t: &TestServer) -> Vec<String> {
    let v: Value = reqwest::get(format!("{}/jwks", t.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

async fn sign_in(t: &TestServer, browser: &Browser, client_id: &str, secret: &str) -> Value {
    let (code, verifier) = obtain_code(t, browser, client_id, "keys@example.org").await;
    let (status, tokens) = redeem(t, client_id, secret, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

#[tokio::test]
async fn a_rotated_key_is_published_first_then_signs_and_the_old_one_retires_then_leaves() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("keys@example.org").await;
        let browser = Browser::new(&t.base);
        let first = sign_in(&t, &browser, &client_id, &secret).await;
        let old_kid = kid_of(first["id_token"].as_str().unwrap());

        let res = reqwest::get(format!("{}/jwks", t.base)).await.unwrap();
        assert_eq!(res.headers()["cache-control"], "public, max-age=3600");

        let keep = maintenance::keep_retired(&t.app.config);
        let next = t
            .app
            .keyring
            .rotate(&t.app.store, SigningAlg::Rs256, false, keep)
            .await
            .unwrap();
        assert!(
            jwks_kids(&t).await.contains(&next),
            "published before it signs"
        );
        let still_old = sign_in(&t, &browser, &client_id, &secret).await;
        assert_eq!(kid_of(still_old["id_token"].as_str().unwrap()), old_kid);

        t.app.clock.advance(t.app.config.keys.prepublish_secs + 1);
        maintenance::tick(&t.app.store, &t.app.keyring, &t.app.config)
            .await
            .unwrap();
        let fresh = sign_in(&t, &browser, &client_id, &secret).await;
        assert_eq!(
            kid_of(fresh["id_token"].as_str().unwrap()),
            next,
            "{}",
            backend.name()
        );
        let kids = jwks_kids(&t).await;
        assert!(
            kids.contains(&old_kid) && kids.contains(&next),
            "retired key still verifies"
        );
        let states: Vec<(String, String)> = t
            .app
            .store
            .all_signing_keys()
            .await
            .unwrap()
            .into_iter()
            .map(|k| (k.kid, k.state))
            .collect();
        assert!(states.contains(&(old_kid.clone(), "retired".into())));

        t.app.clock.advance(keep + 1);
        maintenance::tick(&t.app.store, &t.app.keyring, &t.app.config)
            .await
            .unwrap();
        assert!(
            !jwks_kids(&t).await.contains(&old_kid),
            "expired key leaves the JWKS"
        );
        // A second pre-published key for the same algorithm is refused (one `next` at a time).
        t.app
            .keyring
            .rotate(&t.app.store, SigningAlg::Rs256, false, keep)
            .await
            .unwrap();
        assert!(
            t.app
                .keyring
                .rotate(&t.app.store, SigningAlg::Rs256, false, keep)
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn a_revoked_key_leaves_the_jwks_and_its_tokens_are_refused_on_every_node_at_once() {
    for backend in backends() {
        let node1 = TestServer::start(&backend).await;
        // On SQLite the second "node" shares the file; on PostgreSQL + Redis it shares both.
        let mut cfg2 = node1.config.clone();
        cfg2.server.issuer = node1.issuer();
        let node2 = TestServer::start_with(&backend, cfg2).await;
        let (client_id, secret) = node1.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        node1.add_person("keys@example.org").await;
        let tokens = sign_in(&node1, &Browser::new(&node1.base), &client_id, &secret).await;
        let at = tokens["access_token"].as_str().unwrap();
        let kid = kid_of(at);
        assert_eq!(userinfo(&node2, at).await.0, 200);

        let outcome = node1
            .app
            .keyring
            .revoke(&node1.app.store, &kid)
            .await
            .unwrap();
        let Revoked::Done {
            replacement: Some(replacement),
        } = outcome
        else {
            panic!("the signing key was revoked, a replacement must sign: {outcome:?}");
        };
        assert!(!jwks_kids(&node1).await.contains(&kid));
        // node2 has not reloaded its keyring, yet it refuses the token: it asks the store.
        assert_eq!(userinfo(&node2, at).await.0, 401, "{}", backend.name());
        let res = no_redirect_client()
            .post(format!("{}/introspect", node2.base))
            .basic_auth(&client_id, Some(&secret))
            .form(&[("token", at)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.json::<Value>().await.unwrap(),
            serde_json::json!({"active": false})
        );
        maintenance::tick(&node2.app.store, &node2.app.keyring, &node2.app.config)
            .await
            .unwrap();
        assert!(!jwks_kids(&node2).await.contains(&kid));
        let again = sign_in(&node1, &Browser::new(&node1.base), &client_id, &secret).await;
        assert_eq!(kid_of(again["id_token"].as_str().unwrap()), replacement);
        assert_eq!(
            userinfo(&node2, again["access_token"].as_str().unwrap())
                .await
                .0,
            200
        );
        assert_eq!(
            node1
                .app
                .keyring
                .revoke(&node1.app.store, &kid)
                .await
                .unwrap(),
            Revoked::Unknown
        );
    }
}
