//! Malformed input on every protocol endpoint: duplicated parameters, over-long values, invalid
//! UTF-8, wrong content types, JSON where a form is expected. Always a correct OAuth error (or an
//! error page before the redirect URI is trusted), never a 500, and nothing stored.

mod common;

use common::*;
use serde_json::Value;

struct Case {
    name: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
}

fn cases(client_id: &str) -> Vec<Case> {
    let long = "a".repeat(100_000);
    vec![
        Case { name: "duplicated grant_type", content_type: "application/x-www-form-urlencoded", body: b"grant_type=authorization_code&grant_type=refresh_token&token=x&code=x".to_vec() },
        Case { name: "invalid utf-8", content_type: "application/x-www-form-urlencoded", body: b"grant_type=%FF%FE&token=%C3%28&client_id=%80".to_vec() },
        Case { name: "raw invalid utf-8 bytes", content_type: "application/x-www-form-urlencoded", body: vec![b'a', b'=', 0xff, 0xfe, b'&', b't', b'=', 0xc3] },
        Case { name: "json body", content_type: "application/json", body: br#"{"grant_type":"client_credentials","token":"x"}"#.to_vec() },
        Case { name: "no content type", content_type: "", body: b"grant_type=client_credentials".to_vec() },
        Case { name: "over-long values", content_type: "application/x-www-form-urlencoded", body: format!("grant_type={long}&token={long}&code={long}&client_id={client_id}&refresh_token={long}").into_bytes() },
        Case { name: "empty body", content_type: "application/x-www-form-urlencoded", body: vec![] },
        Case { name: "garbage", content_type: "application/x-www-form-urlencoded", body: b"&&==&=&%%%&%zz=%".to_vec() },
    ]
}

#[tokio::test]
async fn protocol_endpoints_answer_malformed_requests_with_oauth_errors_and_store_nothing() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        let accounts = t.app.store.count_accounts().await.unwrap();
        let http = no_redirect_client();
        for path in ["/token", "/introspect", "/revoke", "/par", "/userinfo"] {
            for case in cases(&client_id) {
                let mut req = http
                    .post(format!("{}{path}", t.base))
                    .basic_auth(&client_id, Some(&secret))
                    .body(case.body.clone());
                if !case.content_type.is_empty() {
                    req = req.header("content-type", case.content_type);
                }
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                if status == 200 {
                    // A well-formed request about an unknown token: "inactive" (RFC 7662 §2.2) or
                    // "nothing to revoke" (RFC 7009 §2.2) is the correct answer, not an error.
                    let text = res.text().await.unwrap();
                    match path {
                        "/introspect" => assert_eq!(text, r#"{"active":false}"#, "{}", case.name),
                        "/revoke" => assert_eq!(text, "", "{}", case.name),
                        _ => panic!("{path} / {}: 200 {text}", case.name),
                    }
                    continue;
                }
                assert!(
                    (400..500).contains(&status),
                    "{path} / {}: status {status} ({})",
                    case.name,
                    backend.name()
                );
                let body: Value = res
                    .json()
                    .await
                    .unwrap_or_else(|_| panic!("{path} / {}: not JSON", case.name));
                let error = body["error"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{path} / {}: {body}", case.name));
                assert!(
                    [
                        "invalid_request",
                        "invalid_client",
                        "invalid_grant",
                        "unsupported_grant_type",
                        "invalid_token",
                        "unauthorized_client",
                        "invalid_scope",
                        "unsupported_response_type"
                    ]
                    .contains(&error),
                    "{path} / {}: {error}",
                    case.name
                );
                if let Some(d) = body["error_description"].as_str() {
                    assert!(
                        d.chars()
                            .all(|c| (' '..='~').contains(&c) && c != '"' && c != '\\'),
                        "{path}: {d}"
                    );
                }
            }
        }
        assert!(
            t.app
                .store
                .refresh_token_hashes_for_tests()
                .await
                .unwrap()
                .is_empty(),
            "nothing stored"
        );
        assert_eq!(t.app.store.count_accounts().await.unwrap(), accounts);
    }
}

#[tokio::test]
async fn authorization_endpoint_never_fails_with_500_on_malformed_queries() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, _) = t.add_client(REDIRECT, false).await;
        let long = "x".repeat(10_000);
        let enc = urlencode(REDIRECT);
        let queries = [
            format!("client_id={client_id}&client_id=other&redirect_uri={enc}"),
            format!("client_id={client_id}&redirect_uri={enc}&redirect_uri={enc}"),
            format!(
                "client_id={client_id}&redirect_uri={enc}&response_type=code&scope=openid&scope=openid"
            ),
            format!("client_id=%FF%FE&redirect_uri={enc}"),
            format!(
                "client_id={client_id}&redirect_uri={enc}&response_type=code&scope=openid&state={long}"
            ),
            format!(
                "client_id={client_id}&redirect_uri={enc}&response_type=code&scope=openid&max_age=-1"
            ),
            format!(
                "client_id={client_id}&redirect_uri={enc}&response_type=code&scope=openid&request=not.a.jwt"
            ),
            format!(
                "client_id={client_id}&redirect_uri={enc}&response_type=code&scope=openid&claims=%7B"
            ),
            format!(
                "client_id={client_id}&redirect_uri={enc}&response_type=code&scope=openid&request_uri=https://127.0.0.1:1/x"
            ),
            format!("client_id={long}"),
            "%%%&&&===".to_string(),
        ];
        let browser = Browser::new(&t.base);
        for q in &queries {
            let res = browser.get(&format!("/authorize?{q}")).await;
            let status = res.status().as_u16();
            match status {
                303 => {
                    let back = location(&res).unwrap();
                    assert!(back.starts_with(REDIRECT), "{q}: redirect to {back}");
                    assert!(query_param(&back, "error").is_some(), "{q}");
                    assert!(query_param(&back, "code").is_none());
                }
                400 => assert!(location(&res).is_none()),
                other => panic!("{q}: status {other}"),
            }
        }
        // POST with JSON instead of a form: a page, not a crash.
        let res = browser
            .http
            .post(format!("{}/authorize", t.base))
            .json(&serde_json::json!({"client_id": client_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
    }
}
