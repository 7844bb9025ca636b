//! Across two nodes sharing PostgreSQL and Redis: start on node 1, approve on node 2, finish on
//! node 1 — for the device grant and for CIBA.

use crate::common::*;
use crate::support::*;

#[tokio::test]
async fn device_grant_and_ciba_hop_between_two_nodes() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let node1 = start(&backend, |_| {}).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer();
    let node2 = TestServer::start_with(&backend, cfg2).await;
    node1.add_person("+79007770011").await;

    // Device grant.
    let (client_id, _) = device_client(&node1, true).await;
    let client = (client_id.as_str(), None);
    let (status, started) = device_authorization(&node1, client, "openid").await;
    assert_eq!(status, 200, "{started}");
    let code = started["device_code"].as_str().unwrap();
    let user_code = started["user_code"].as_str().unwrap();
    let browser = Browser::new(&node2.base);
    let page = reach_approval(
        &browser,
        &format!("/device?user_code={user_code}"),
        "89007770011",
        Some(user_code),
    )
    .await;
    let (status, _) = decide(&browser, &page, "/device/decide", "allow").await;
    assert_eq!(status, 200);
    let (status, tokens) = poll_device(&node1, client, code).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(
        userinfo(&node2, tokens["access_token"].as_str().unwrap())
            .await
            .0,
        200
    );

    // CIBA.
    let c = ciba_client(&node1, "poll", None).await;
    let (status, started) = bc_authorize(
        &node1,
        &c,
        &[("scope", "openid"), ("login_hint", "89007770011")],
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let id = started["auth_req_id"].as_str().unwrap();
    let link = approval_link(&node1, "+79007770011").await;
    let path = &link[link.find("/ciba").unwrap()..];
    let page = reach_approval(&browser, path, "89007770011", None).await;
    let (status, _) = decide(&browser, &page, "/ciba/decide", "allow").await;
    assert_eq!(status, 200);
    let (status, tokens) = poll_ciba(&node1, &c, id).await;
    assert_eq!(status, 200, "{tokens}");
    // Single use across nodes too.
    wait_interval().await;
    let (status, body) = poll_ciba(&node2, &c, id).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
}
