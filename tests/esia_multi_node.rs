//! One ESIA sign-in across two nodes sharing PostgreSQL and Redis: the request on one node, the
//! login on the other, consent back on the first, the token request and the refresh on either.

mod common;
mod esia_rp;

use common::*;
use esia_rp::*;

#[tokio::test]
async fn an_esia_flow_hops_between_two_nodes() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let node1 = TestServer::start(&backend).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer();
    let node2 = TestServer::start_with(&backend, cfg2).await;
    let rp1 = register_rp(&node1, "PORTAL_MN", &[]).await;
    let rp2 = rp1.on(&node2.base);
    node1.add_person("+79005550901").await;
    let scope = "openid fullname";

    // 1. The request on node 1 sends the browser to the login page.
    let browser = Browser::new(&node1.base);
    let state = new_state();
    let res = browser
        .get(&rp1.ac_url(&rp1.ac_params(node1.app.clock.now(), scope, &state, PHP)))
        .await;
    let login_path = location(&res).expect("to the login page");
    assert!(login_path.starts_with("/login?tx="), "{login_path}");

    // 2. The login page and the password on node 2; the continuation lands on node 2 too.
    let page = match browser.follow(&format!("{}{login_path}", node2.base)).await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let res = browser
        .submit(
            &page,
            &format!("{}/login", node2.base),
            &[("login", "+79005550901"), ("password", PASSWORD)],
        )
        .await;
    let next = location(&res).expect("login continues the request");
    let consent = match browser.follow(&format!("{}{next}", node2.base)).await {
        Landing::Page(200, html) => html,
        other => panic!("consent page expected: {other:?}"),
    };

    // 3. Consent posted to node 1.
    let res = browser
        .submit(
            &consent,
            &format!("{}{}", node1.base, form_action(&consent)),
            &[("decision", "allow")],
        )
        .await;
    let back = location(&res).expect("back to the portal");
    assert_eq!(param(&back, "state"), Some(state));
    let code = param(&back, "code").unwrap();

    // 4. The code redeemed on node 2, the refresh on node 1.
    let (status, tokens) = rp2
        .te(&rp2.code_form(node2.app.clock.now(), &code, scope, PHP))
        .await;
    assert_eq!(status, 200, "{tokens}");
    let rt = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) = rp1
        .te(&rp1.refresh_form(node1.app.clock.now(), rt, scope, true, DOTNET))
        .await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(
        node2
            .app
            .keyring
            .verify_without_kid(refreshed["access_token"].as_str().unwrap())
            .is_some()
    );
}
