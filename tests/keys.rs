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
async fn a_revoked_key_leaves_the_jwks_and_its_tokens_are_refused_at_once_here_and_within_a_second_everywhere()
 {
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
        // At once on the node that revoked it; node2 has not reloaded its keyring, yet it refuses
        // the token within a second (its answer for the token is that old at most, then it asks
        // the store).
        assert_eq!(userinfo(&node1, at).await.0, 401, "{}", backend.name());
        within(
            SEEN_EVERYWHERE_WITHIN,
            "the key revocation on node2",
            || async { userinfo(&node2, at).await.0 == 401 },
        )
        .await;
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

/// A relying party that caches the JWKS exactly as long as Cache-Control allows (on the server's
/// clock, which the test moves) and never refetches early.
struct CachingRp {
    keys: Option<josekit::jwk::JwkSet>,
    fresh_until: i64,
    fetches: usize,
    /// 1 honours Cache-Control; more overstays it (the control group that must fail).
    stretch: i64,
}

impl CachingRp {
    async fn verify(&mut self, t: &TestServer, token: &str) -> bool {
        let now = t.app.clock.now();
        if self.keys.is_none() || now >= self.fresh_until {
            let res = reqwest::get(format!("{}/jwks", t.base)).await.unwrap();
            let cc = res.headers()["cache-control"].to_str().unwrap().to_string();
            let max_age: i64 = cc.split("max-age=").nth(1).unwrap().parse().unwrap();
            self.keys = Some(josekit::jwk::JwkSet::from_bytes(res.bytes().await.unwrap()).unwrap());
            self.fresh_until = now + max_age * self.stretch;
            self.fetches += 1;
        }
        let kid = kid_of(token);
        let Some(jwk) = self.keys.as_ref().unwrap().get(&kid).first().cloned() else {
            return false;
        };
        let verifier = josekit::jws::ES256.verifier_from_jwk(jwk).unwrap();
        josekit::jwt::decode_with_verifier(token, &verifier).is_ok()
    }
}

#[tokio::test]
async fn an_rp_that_honours_jwks_caching_validates_every_token_through_scheduled_and_manual_rotations()
 {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.keys.prepublish_secs = 600;
        config.keys.rotate_every_days = 1;
        let t = TestServer::start_with(&backend, config).await;
        let (client, secret) = vhod::clients::register(
            &t.app.store,
            vhod::clients::NewClient {
                name: "service".into(),
                grant_types: vec!["client_credentials".into()],
                id_token_alg: SigningAlg::Es256,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let secret = secret.unwrap();
        let mut rp = CachingRp {
            keys: None,
            fresh_until: 0,
            fetches: 0,
            stretch: 1,
        };
        let mut careless = CachingRp {
            keys: None,
            fresh_until: 0,
            fetches: 0,
            stretch: 20,
        };
        let mut careless_failures = 0;
        let mut signing_kids = std::collections::BTreeSet::new();
        let mut failures = 0;
        // 900 steps of 2 minutes: 30 hours. The manual rotation at step 100 activates at ~3.5 h;
        // the daily schedule counts from that activation and fires once more at ~27.5 h.
        for step in 0..900 {
            t.app.clock.advance(120);
            maintenance::tick(&t.app.store, &t.app.keyring, &t.app.config)
                .await
                .unwrap();
            if step == 100 {
                let keep = maintenance::keep_retired(&t.app.config);
                t.app
                    .keyring
                    .rotate(&t.app.store, SigningAlg::Es256, false, keep)
                    .await
                    .unwrap();
            }
            let (status, body) = token_request(
                &t,
                &client.id,
                &secret,
                &[("grant_type", "client_credentials")],
            )
            .await;
            assert_eq!(status, 200, "{body}");
            let token = body["access_token"].as_str().unwrap();
            signing_kids.insert(kid_of(token));
            if !rp.verify(&t, token).await {
                failures += 1;
            }
            if !careless.verify(&t, token).await {
                careless_failures += 1;
            }
        }
        assert_eq!(failures, 0, "{}", backend.name());
        assert!(
            careless_failures > 0,
            "an RP caching 20× too long does miss keys: the check can fail"
        );
        assert!(
            signing_kids.len() >= 3,
            "two rotations took effect: {signing_kids:?}"
        );
        assert!(
            rp.fetches > 10,
            "the RP really refetched as its cache expired"
        );
        let log = t.app.store.audit_since(0).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.actor == "system:schedule" && e.action == "key.rotate")
        );
    }
}
