//! OWASP ASVS V5 (validation, sanitisation, encoding): XSS through names a person or an
//! administrator sets, SQL metacharacters in every kind of input, oversized and malformed bodies.

use crate::common::login::*;
use crate::common::*;
use crate::support::*;
use vhod::clients::{self, NewClient};

const XSS: &str = "<script>alert('xss')</script><img src=x onerror=alert(1)>";
const SQL: [&str; 4] = [
    "' OR '1'='1' --",
    "citizen@example.org' --",
    "\"; DROP TABLE accounts; --",
    "1; SELECT pg_sleep(5)",
];

fn raw_markup(html: &str) -> bool {
    html.contains("<script>alert") || html.contains("<img src=x")
}

#[tokio::test]
async fn asvs_v5_3_3_xss_in_a_client_name_is_escaped_on_the_consent_page() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person(CITIZEN).await;
        let (c, _) = clients::register(
            &t.app.store,
            NewClient {
                name: XSS.into(),
                redirect_uris: vec![REDIRECT.into()],
                is_public: false,
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let (_, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            c.id.as_ref(),
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        let browser = Browser::new(&t.base);
        let page = page_at(&browser, &url).await;
        assert!(!raw_markup(&page), "login page");
        let consent = match browser
            .submit_follow(
                &page,
                "/login",
                &[("login", CITIZEN), ("password", PASSWORD)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(consent.contains("name=\"decision\""), "the consent page");
        assert!(!raw_markup(&consent), "{}: {consent}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v5_3_3_xss_in_a_registered_name_never_reaches_a_page_raw() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let b = Browser::new(&t.base);
        let form = page_at(&b, "/register").await;
        let res = b
            .submit(
                &form,
                "/register",
                &[("surname", XSS), ("name", XSS), ("contact", "+79001239999")],
            )
            .await;
        let status = res.status().as_u16();
        let html = match location(&res) {
            Some(next) => page_at(&b, &next).await,
            None => res.text().await.unwrap(),
        };
        assert!(!raw_markup(&html), "{status} on {}: {html}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v5_3_3_xss_in_the_login_field_is_escaped_on_the_error_page() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (status, html) = password_login(&Browser::new(&t.base), XSS, PASSWORD).await;
        assert!(status == 400 || status == 401, "{status}");
        assert!(!raw_markup(&html), "{}: {html}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v5_3_3_xss_in_authorize_parameters_is_escaped_on_the_error_page() {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let res = Browser::new(&t.base)
            .get(&authorize_url(&t.base, &client_id, XSS, &[]))
            .await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(!raw_markup(&html), "{}: {html}", backend.name());
        let res = Browser::new(&t.base)
            .get(&authorize_url(&t.base, XSS, REDIRECT, &[]))
            .await;
        assert!(!raw_markup(&res.text().await.unwrap()));
    }
}

#[tokio::test]
async fn asvs_v5_3_4_sql_metacharacters_in_the_login_sign_nobody_in() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person(CITIZEN).await;
        for login in SQL {
            let b = browser_from(&t, "127.0.0.31");
            let (status, _) = password_login(&b, login, "' OR '1'='1").await;
            assert!(status == 400 || status == 401, "{login}: {status}");
            assert!(b.get("/account").await.status().is_redirection());
        }
        // The store is intact: the person still signs in.
        let (status, _) = password_login(&Browser::new(&t.base), CITIZEN, PASSWORD).await;
        assert_eq!(status, 303, "{}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v5_3_4_sql_metacharacters_in_client_id_and_tokens_are_plain_refusals() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        for evil in SQL {
            let res = Browser::new(&t.base)
                .get(&authorize_url(&t.base, evil, REDIRECT, &[]))
                .await;
            assert_eq!(res.status(), 400, "{evil}");
            assert_eq!(location(&res), None);
            let (status, body) =
                token_request(&t, evil, "x", &[("grant_type", "client_credentials")]).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (401, Some("invalid_client"))
            );
            let (status, body) = token_request(
                &t,
                &client_id,
                &secret,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", evil),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", evil),
                ],
            )
            .await;
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some("invalid_grant")),
                "{evil} on {}",
                backend.name()
            );
            assert_eq!(userinfo(&t, evil).await.0, 401);
        }
    }
}

#[tokio::test]
async fn asvs_v5_1_oversized_bodies_are_refused_before_parsing() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let huge = "A".repeat(1024 * 1024);
        for path in ["/token", "/login", "/introspect", "/aas/oauth2/v3/te"] {
            let res = no_redirect_client()
                .post(format!("{}{path}", t.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("x={huge}"))
                .send()
                .await
                .unwrap();
            // The pages answer the oversized form with their own 400 page; nothing is parsed.
            let status = res.status().as_u16();
            assert!(
                status == 413 || (path == "/login" && status == 400),
                "{path}: {status} on {}",
                backend.name()
            );
        }
    }
}

#[tokio::test]
async fn asvs_v5_1_malformed_form_encoding_is_a_clear_error() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        for body in [
            "grant_type=%FF%FE",
            "grant_type=%",
            "&&&=&=",
            "grant_type=\u{0}",
        ] {
            let res = no_redirect_client()
                .post(format!("{}/token", t.base))
                .basic_auth(&client_id, Some(&secret))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 400, "{body:?} on {}", backend.name());
            let json: serde_json::Value = res.json().await.unwrap();
            assert!(json["error"].is_string(), "{json}");
        }
    }
}

#[tokio::test]
async fn asvs_v5_1_duplicated_redirect_uri_never_redirects_elsewhere() {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[("redirect_uri", "https://evil.example/cb")],
        );
        let res = Browser::new(&t.base).get(&url).await;
        match location(&res) {
            Some(back) => {
                assert!(back.starts_with(REDIRECT), "{back}");
                assert!(query_param(&back, "error").is_some());
                assert_eq!(query_param(&back, "code"), None);
            }
            None => assert_eq!(res.status(), 400, "{}", backend.name()),
        }
    }
}
