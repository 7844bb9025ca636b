use super::*;

#[tokio::test]
async fn unregistered_redirect_uri_shows_an_error_page_and_never_redirects() {
    for backend in backends() {
        let (t, client_id, _) = setup(&backend).await;
        let (_, c) = pkce_pair();
        for evil in [
            "https://evil.example/callback",
            "https://portal.example.gov/callback/",
            "https://portal.example.gov/callback?x=1",
            "https://portal.example.gov/Callback",
        ] {
            let url = authorize_url(
                &t.base,
                &client_id,
                evil,
                &[("code_challenge", &c), ("code_challenge_method", "S256")],
            );
            let res = Browser::new(&t.base).get(&url).await;
            assert_eq!(res.status(), 400, "{evil}");
            assert!(location(&res).is_none(), "must not redirect to {evil}");
            assert!(
                res.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html")
            );
            let html = res.text().await.unwrap();
            assert!(html.contains("Адрес возврата не совпадает"), "{html}");
        }
        // Unknown client: also a page.
        let res = Browser::new(&t.base)
            .get(&authorize_url(&t.base, "no-such-client", REDIRECT, &[]))
            .await;
        assert_eq!(res.status(), 400);
        assert!(location(&res).is_none());
    }
}

#[tokio::test]
async fn missing_or_plain_pkce_is_refused_with_invalid_request_redirect() {
    for backend in backends() {
        let (t, client_id, _) = setup(&backend).await;
        let (verifier, challenge) = pkce_pair();
        let cases: [(&[(&str, &str)], &str); 3] = [
            (&[], "code_challenge (PKCE, S256) is required"),
            (
                &[
                    ("code_challenge", &verifier),
                    ("code_challenge_method", "plain"),
                ],
                "code_challenge_method must be S256; plain is not allowed",
            ),
            (
                &[("code_challenge", &challenge)],
                "code_challenge_method must be S256; plain is not allowed",
            ),
        ];
        for (extra, description) in cases {
            let res = Browser::new(&t.base)
                .get(&authorize_url(&t.base, &client_id, REDIRECT, extra))
                .await;
            assert_eq!(res.status(), 303);
            let back = location(&res).unwrap();
            assert!(back.starts_with(REDIRECT));
            assert_eq!(
                query_param(&back, "error").as_deref(),
                Some("invalid_request")
            );
            assert_eq!(
                query_param(&back, "error_description").as_deref(),
                Some(description)
            );
            assert_eq!(query_param(&back, "state").as_deref(), Some("st-123"));
            assert_eq!(query_param(&back, "iss"), Some(t.issuer()));
        }
    }
}

#[tokio::test]
async fn pkce_verifier_mismatch_or_missing_is_invalid_grant() {
    for backend in backends() {
        let (t, client_id, secret) = setup(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, _) = obtain_code(&t, &browser, &client_id, "citizen@example.org").await;
        let (other_verifier, _) = pkce_pair();
        let (status, body) = redeem(&t, &client_id, &secret, &code, &other_verifier).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"], "invalid_grant");
        assert_eq!(
            body["error_description"],
            "code_verifier does not match the code_challenge"
        );

        let (code, _) = obtain_code(&t, &browser, &client_id, "citizen@example.org").await;
        let (status, body) = token_request(
            &t,
            &client_id,
            &secret,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(body["error"], "invalid_grant");
        assert_eq!(body["error_description"], "code_verifier is required");
    }
}

#[tokio::test]
async fn reused_code_is_refused_and_the_first_access_token_stops_working() {
    for backend in backends() {
        let (t, client_id, secret) = setup(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, "citizen@example.org").await;
        let (status, first) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 200);
        let access = first["access_token"].as_str().unwrap();
        assert_eq!(userinfo(&t, access).await.0, 200);
        let (status, second) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 400);
        assert_eq!(second["error"], "invalid_grant");
        let (status, body) = userinfo(&t, access).await;
        assert_eq!(status, 401, "{}", backend.name());
        assert_eq!(body["error"], "invalid_token");
        // The refresh token of the first redemption is dead too.
        let rt = first["refresh_token"].as_str().unwrap();
        let (status, body) = token_request(
            &t,
            &client_id,
            &secret,
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(body["error"], "invalid_grant");
    }
}

#[tokio::test]
async fn expired_code_is_refused() {
    for backend in backends() {
        let (t, client_id, secret) = setup(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, "citizen@example.org").await;
        t.app.clock.advance(61);
        let (status, body) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"], "invalid_grant");
        assert_eq!(
            body["error_description"],
            "authorization code is invalid, expired or already used"
        );
    }
}

#[tokio::test]
async fn reused_refresh_token_revokes_the_whole_grant() {
    for backend in backends() {
        let (t, client_id, secret) = setup(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, "citizen@example.org").await;
        let (_, first) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        let rt1 = first["refresh_token"].as_str().unwrap().to_string();
        let (status, second) = token_request(
            &t,
            &client_id,
            &secret,
            &[("grant_type", "refresh_token"), ("refresh_token", &rt1)],
        )
        .await;
        assert_eq!(status, 200);
        let rt2 = second["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(rt1, rt2);
        let at2 = second["access_token"].as_str().unwrap().to_string();
        assert_eq!(userinfo(&t, &at2).await.0, 200);
        t.app.clock.advance(10); // past the grace for racing tabs
        let (status, body) = token_request(
            &t,
            &client_id,
            &secret,
            &[("grant_type", "refresh_token"), ("refresh_token", &rt1)],
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(body["error"], "invalid_grant");
        // The whole family is gone: the newest refresh token and access token too.
        let (status, body) = token_request(
            &t,
            &client_id,
            &secret,
            &[("grant_type", "refresh_token"), ("refresh_token", &rt2)],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{}",
            backend.name()
        );
        assert_eq!(userinfo(&t, &at2).await.0, 401);
        // The stored token is a hash, never the token itself.
        let stored: Vec<(String,)> = sqlx_hashes(&t).await;
        assert!(stored.iter().all(|(h,)| h != &rt1 && h != &rt2));
    }
}

pub(crate) async fn sqlx_hashes(t: &TestServer) -> Vec<(String,)> {
    t.app.store.refresh_token_hashes_for_tests().await.unwrap()
}

#[tokio::test]
async fn wrong_client_secret_is_invalid_client() {
    for backend in backends() {
        let (t, client_id, secret) = setup(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, "citizen@example.org").await;
        let res = no_redirect_client()
            .post(format!("{}/token", t.base))
            .basic_auth(&client_id, Some(format!("{secret}x")))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        assert!(
            res.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
        // client_secret_post with a wrong secret: 401 as well; with the right secret too, since the
        // client registered client_secret_basic (issue 10 #20); and the code still works afterwards
        // with the registered method (a failed client authentication does not burn the code).
        let res = no_redirect_client()
            .post(format!("{}/token", t.base))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
                ("client_id", &client_id),
                ("client_secret", "nope"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let res = no_redirect_client()
            .post(format!("{}/token", t.base))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
                ("client_id", &client_id),
                ("client_secret", &secret),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            401,
            "client_secret_post refused for a basic client"
        );
        let res = no_redirect_client()
            .post(format!("{}/token", t.base))
            .basic_auth(&client_id, Some(&secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "client_secret_basic works");
    }
}

#[tokio::test]
async fn code_issued_to_client_a_cannot_be_redeemed_by_client_b() {
    for backend in backends() {
        let (t, client_a, _) = setup(&backend).await;
        let (client_b, secret_b) = t.add_client(REDIRECT, false).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_a, "citizen@example.org").await;
        let (status, body) = redeem(
            &t,
            &client_b,
            secret_b.as_deref().unwrap(),
            &code,
            &verifier,
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(body["error"], "invalid_grant");
        assert_eq!(
            body["error_description"],
            "authorization code was issued to another client"
        );
    }
}
