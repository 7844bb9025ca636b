//! OWASP ASVS V13 (API and web services): CORS on protocol endpoints, no-store on every response
//! with a secret, methods, client authentication on introspection and revocation, bearer tokens
//! only in the header.

use crate::common::*;
use crate::support::*;

const EVIL_ORIGIN: &str = "https://evil.example";

/// Whether the response lets a page of EVIL_ORIGIN (or of any origin) read it.
fn grants_foreign_origin(res: &reqwest::Response) -> bool {
    res.headers()
        .get("access-control-allow-origin")
        .is_some_and(|v| v == EVIL_ORIGIN || v == "*")
}

#[tokio::test]
async fn asvs_v13_1_cors_token_endpoint_does_not_answer_a_foreign_origin() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let res = no_redirect_client()
            .post(format!("{}/token", t.base))
            .basic_auth(&client_id, Some(&secret))
            .header("origin", EVIL_ORIGIN)
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert!(
            !grants_foreign_origin(&res),
            "{:?} on {}",
            res.headers().get("access-control-allow-origin"),
            backend.name()
        );
        assert!(
            res.headers()
                .get("access-control-allow-credentials")
                .is_none()
        );
    }
}

#[tokio::test]
async fn asvs_v13_1_cors_preflight_to_userinfo_and_introspect_is_not_granted() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        for path in ["/userinfo", "/introspect", "/revoke", "/admin/api/clients"] {
            let res = no_redirect_client()
                .request(reqwest::Method::OPTIONS, format!("{}{path}", t.base))
                .header("origin", EVIL_ORIGIN)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "authorization")
                .send()
                .await
                .unwrap();
            assert!(
                !grants_foreign_origin(&res),
                "{path}: {:?} on {}",
                res.headers().get("access-control-allow-origin"),
                backend.name()
            );
            assert!(
                res.headers()
                    .get("access-control-allow-credentials")
                    .is_none()
            );
        }
    }
}

#[tokio::test]
async fn asvs_v13_2_token_response_is_no_store() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, CITIZEN).await;
        let res = no_redirect_client()
            .post(format!("{}/token", t.base))
            .basic_auth(&client_id, Some(&secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
                ("code_verifier", verifier.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()["cache-control"].to_str().unwrap(),
            "no-store",
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn asvs_v13_2_userinfo_and_introspection_responses_are_no_store() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let tokens = tokens_of(&t, &client_id, &secret).await;
        let access = tokens["access_token"].as_str().unwrap();
        let res = no_redirect_client()
            .get(format!("{}/userinfo", t.base))
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("no-store")
        );
        let res = no_redirect_client()
            .post(format!("{}/introspect", t.base))
            .basic_auth(&client_id, Some(&secret))
            .form(&[("token", access)])
            .send()
            .await
            .unwrap();
        assert!(
            res.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("no-store"),
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn asvs_v13_2_token_endpoint_refuses_get() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let res = no_redirect_client()
            .get(format!("{}/token?grant_type=client_credentials", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405, "{}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v13_2_introspection_and_revocation_need_client_authentication() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let tokens = tokens_of(&t, &client_id, &secret).await;
        let access = tokens["access_token"].as_str().unwrap();
        for path in ["/introspect", "/revoke"] {
            let res = no_redirect_client()
                .post(format!("{}{path}", t.base))
                .form(&[("token", access)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 401, "{path} on {}", backend.name());
        }
        assert_eq!(
            userinfo(&t, access).await.0,
            200,
            "the token was not revoked"
        );
    }
}

#[tokio::test]
async fn asvs_v13_2_access_token_in_the_query_string_is_not_accepted() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let tokens = tokens_of(&t, &client_id, &secret).await;
        let access = tokens["access_token"].as_str().unwrap();
        let res = no_redirect_client()
            .get(format!(
                "{}/userinfo?access_token={}",
                t.base,
                urlencode(access)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v13_2_json_body_at_the_token_endpoint_is_a_clear_error() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let res = no_redirect_client()
            .post(format!("{}/token", t.base))
            .basic_auth(&client_id, Some(&secret))
            .json(&serde_json::json!({"grant_type": "client_credentials"}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{status} on {}",
            backend.name()
        );
        assert!(res.json::<serde_json::Value>().await.unwrap()["error"].is_string());
    }
}
