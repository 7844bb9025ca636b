//! Two nodes on one PostgreSQL + Redis: a sign-in for an organisation starts on one node, the
//! organisation is chosen on the other, and the tokens carry it on both (issue 14).

mod common;
#[path = "orgs/oidc.rs"]
mod oidc;
#[path = "common/tokens.rs"]
mod tokens;

use common::*;
use oidc::*;
use tokens::*;

#[tokio::test]
async fn the_request_starts_on_one_node_and_the_organisation_is_chosen_on_another() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let node1 = TestServer::start(&backend).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer();
    let node2 = TestServer::start_with(&backend, cfg2).await;
    let me = node1.add_person("boss@example.org").await;
    let oid = node1.add_org(ROMASHKA, &me).await;
    let (client, secret) = portal(&node1, true).await;
    let b = signed_in(&node1, "boss@example.org").await;
    let (url, verifier) = auth_url(&node1.base, &client, &[("scope", "openid organization")]);
    let res = b.get(&url).await;
    let choice = location(&res).expect("to the choice page");
    assert!(choice.starts_with("/org-choice?tx="), "{choice}");
    let html = match b.follow(&format!("{}{choice}", node2.base)).await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let res = b
        .submit(
            &html,
            &format!("{}/org-choice", node2.base),
            &[("org", &oid.to_string())],
        )
        .await;
    let next = location(&res).expect("back to the continuation");
    let consent = match b.follow(&format!("{}{next}", node1.base)).await {
        Landing::Page(200, c) => c,
        other => panic!("{other:?}"),
    };
    let tokens = allow_and_redeem(&node1, &b, (&client, &secret), &consent, &verifier).await;
    assert_eq!(id_token_claims(&tokens)["org"]["id"], oid);
    let (_, info) = userinfo(&node2, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(info["org"]["ogrn"], ROMASHKA.0);
}
