//! Logout: RP-initiated logout, back-channel logout tokens delivered by a durable, retried job,
//! and «Завершить все сеансы».

mod common;

use common::*;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use vhod::clients::{self, NewClient};

const POST_LOGOUT: &str = "https://portal.example.gov/bye";

/// A portal's back-channel endpoint: answers 500 to the first `fail_first` calls, records the rest.
async fn receiver(fail_first: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let got = Arc::new(Mutex::new(Vec::<String>::new()));
    let calls = Arc::new(Mutex::new(0usize));
    let store = got.clone();
    let app = axum::Router::new().route(
        "/backchannel",
        axum::routing::post(move |body: String| {
            let (store, calls) = (store.clone(), calls.clone());
            async move {
                let mut n = calls.lock().unwrap();
                *n += 1;
                if *n <= fail_first {
                    return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                }
                store.lock().unwrap().push(body);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://localhost:{port}/backchannel"), got)
}

async fn wait_for(got: &Arc<Mutex<Vec<String>>>, n: usize) -> Vec<String> {
    for _ in 0..100 {
        if got.lock().unwrap().len() >= n {
            return got.lock().unwrap().clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("back-channel logout not delivered");
}

fn jwt_part(token: &str, i: usize) -> Value {
    use base64::Engine;
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.split('.').nth(i).unwrap())
        .unwrap();
    serde_json::from_slice(&b).unwrap()
}

#[tokio::test]
async fn rp_initiated_logout_ends_the_session_returns_to_the_portal_and_notifies_it_with_retries() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (backchannel, got) = receiver(1).await;
        let (client, secret) = clients::register(
            &t.app.store,
            NewClient {
                name: "Портал с выходом".into(),
                redirect_uris: vec![REDIRECT.into()],
                post_logout_redirect_uris: vec![POST_LOGOUT.into()],
                backchannel_logout_uri: Some(backchannel),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        t.add_person("bye@example.org").await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client.id, "bye@example.org").await;
        let (_, tokens) =
            redeem(&t, &client.id, secret.as_deref().unwrap(), &code, &verifier).await;
        let id_token = tokens["id_token"].as_str().unwrap();
        let sid = id_token_claims(&tokens)["sid"]
            .as_str()
            .expect("sid in the ID token")
            .to_string();

        let url = format!(
            "/session/end?id_token_hint={id_token}&post_logout_redirect_uri={}&state=st-bye",
            urlencode(POST_LOGOUT)
        );
        let page = match browser.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(page.contains("Портал с выходом"));
        // Without the form's CSRF token nothing happens.
        let res = browser.post("/session/end/confirm", &[("lr", "x")]).await;
        assert_eq!(res.status(), 403);
        assert_eq!(
            browser.get("/account").await.status(),
            200,
            "still signed in"
        );

        match browser
            .submit_follow(&page, "/session/end/confirm", &[])
            .await
        {
            Landing::Left(u) => assert_eq!(u, format!("{POST_LOGOUT}?state=st-bye")),
            other => panic!("{other:?}"),
        }
        assert_eq!(browser.get("/account").await.status(), 303, "signed out");

        // The first delivery fails (500); the job retries after its backoff.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert!(got.lock().unwrap().is_empty());
        t.app.clock.advance(30);
        let bodies = wait_for(&got, 1).await;
        let token = bodies[0].strip_prefix("logout_token=").unwrap();
        let header = jwt_part(token, 0);
        let claims = jwt_part(token, 1);
        assert_eq!(header["typ"], "logout+jwt");
        assert_eq!(claims["iss"], t.issuer());
        assert_eq!(claims["aud"], client.id.as_str());
        assert_eq!(claims["sid"], sid.as_str());
        assert_eq!(claims["sub"], id_token_claims(&tokens)["sub"]);
        assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
        assert!(claims.get("nonce").is_none());
        // Signed by a key in our JWKS.
        assert!(t.app.keyring.verify(token).is_some(), "{}", backend.name());
    }
}

#[tokio::test]
async fn logout_with_an_unregistered_post_logout_redirect_uri_is_refused_with_a_page() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (client_id, _) = t.add_client(REDIRECT, false).await;
    t.add_person("stay@example.org").await;
    let browser = Browser::new(&t.base);
    obtain_code(&t, &browser, &client_id, "stay@example.org").await;
    let url = format!(
        "/session/end?client_id={client_id}&post_logout_redirect_uri={}",
        urlencode("https://evil.example/")
    );
    let res = browser.get(&url).await;
    assert_eq!(res.status(), 400);
    assert!(location(&res).is_none());
    assert_eq!(browser.get("/account").await.status(), 200);
}

#[tokio::test]
async fn ending_all_sessions_signs_the_person_out_on_every_device() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("many@example.org").await;
        let mut devices = vec![];
        for _ in 0..3 {
            let b = Browser::new(&t.base);
            let html = match b.follow("/login").await {
                Landing::Page(200, h) => h,
                other => panic!("{other:?}"),
            };
            b.submit(
                &html,
                "/login",
                &[("login", "many@example.org"), ("password", PASSWORD)],
            )
            .await;
            devices.push(b);
        }
        let account = match devices[0].follow("/account").await {
            Landing::Page(200, h) => h,
            other => panic!("{other:?}"),
        };
        assert!(account.contains("Активных сеансов: 3"), "{account}");
        let res = devices[0]
            .submit(&account, "/account/sessions/end-all", &[])
            .await;
        assert_eq!(res.status(), 200);
        for d in &devices {
            assert_eq!(d.get("/account").await.status(), 303, "{}", backend.name());
        }
    }
}
