//! Two nodes on one PostgreSQL + Redis: any step of a flow can land on any node.

mod common;

use common::*;

#[tokio::test]
async fn a_flow_hops_between_two_nodes_sharing_postgres_and_redis() {
    // Shared state needs PostgreSQL and Redis; the README test command sets both variables.
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let node1 = TestServer::start(&backend).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer(); // one issuer behind a load balancer
    let node2 = TestServer::start_with(&backend, cfg2).await;
    assert_ne!(node1.base, node2.base);

    let jwks = |base: String| async move {
        reqwest::get(format!("{base}/jwks"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert_eq!(
        jwks(node1.base.clone()).await,
        jwks(node2.base.clone()).await,
        "both nodes publish the same keys"
    );

    let (client_id, secret) = node1.add_client(REDIRECT, false).await;
    let secret = secret.unwrap();
    node1.add_person("+79007770001").await;

    // 1. Authorization request on node 1.
    let browser = Browser::new(&node1.base);
    let (verifier, challenge) = pkce_pair();
    let url = authorize_url(
        &node1.base,
        &client_id,
        REDIRECT,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let res = browser.get(&url).await;
    assert_eq!(res.status(), 303);
    let login_path = location(&res).unwrap();
    assert!(login_path.starts_with("/login?tx="));

    // 2. Login page and login on node 2.
    let page = match browser.follow(&format!("{}{login_path}", node2.base)).await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let res = browser
        .submit(
            &page,
            &format!("{}/login", node2.base),
            &[("login", "89007770001"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let next = location(&res).unwrap();
    // Consent on node 2 too.
    let consent = match browser.follow(&format!("{}{next}", node2.base)).await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let res = browser
        .submit(
            &consent,
            &format!("{}/consent", node2.base),
            &[("decision", "allow")],
        )
        .await;
    let back = location(&res).unwrap();
    let code = query_param(&back, "code").unwrap();

    // 3. Redeem on node 2, refresh on node 1, userinfo on both.
    let (status, tokens) = redeem(&node2, &client_id, &secret, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(id_token_claims(&tokens)["iss"], node1.issuer());
    let rt = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) = token_request(
        &node1,
        &client_id,
        &secret,
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    let at = refreshed["access_token"].as_str().unwrap();
    assert_eq!(userinfo(&node1, at).await.0, 200);
    assert_eq!(userinfo(&node2, at).await.0, 200);

    // 4. Code reuse detected on the other node revokes on both: at once on the node that saw it,
    // within a second on the other (which answered for this token a moment ago).
    let (status, _) = redeem(&node1, &client_id, &secret, &code, &verifier).await;
    assert_eq!(status, 400);
    assert_eq!(userinfo(&node1, at).await.0, 401);
    within(
        SEEN_EVERYWHERE_WITHIN,
        "the revocation on node 2",
        || async { userinfo(&node2, at).await.0 == 401 },
    )
    .await;
}
