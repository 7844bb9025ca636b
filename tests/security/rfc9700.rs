//! RFC 9700 (OAuth 2.0 Security Best Current Practice): redirect URI tampering, implicit and hybrid
//! flows, PKCE, code and refresh-token replay, cross-client redemption, mix-up and state.

use crate::common::*;
use crate::support::*;

/// Every variant of the registered redirect URI an attacker may try: refused on a page (400), never
/// a redirect anywhere.
async fn each_variant_is_refused(variants: &[&str]) {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        for evil in variants {
            let res = Browser::new(&t.base)
                .get(&authorize_url(&t.base, &client_id, evil, &pkce_params()))
                .await;
            assert_eq!(res.status(), 400, "{evil} on {}", backend.name());
            assert_eq!(location(&res), None, "no redirect to {evil}");
        }
    }
}

#[tokio::test]
async fn rfc9700_4_1_redirect_uri_suffix_is_refused() {
    each_variant_is_refused(&[
        "https://portal.example.gov/callback/evil",
        "https://portal.example.gov/callbackx",
        "https://portal.example.gov/callback/",
        "https://portal.example.gov.evil.example/callback",
    ])
    .await;
}

#[tokio::test]
async fn rfc9700_4_1_redirect_uri_other_path_is_refused() {
    each_variant_is_refused(&[
        "https://portal.example.gov/",
        "https://portal.example.gov/logout",
        "https://portal.example.gov/cb",
    ])
    .await;
}

#[tokio::test]
async fn rfc9700_4_1_redirect_uri_added_query_is_refused() {
    each_variant_is_refused(&[
        "https://portal.example.gov/callback?next=https://evil.example/",
        "https://portal.example.gov/callback?",
    ])
    .await;
}

#[tokio::test]
async fn rfc9700_4_1_redirect_uri_userinfo_is_refused() {
    each_variant_is_refused(&[
        "https://portal.example.gov@evil.example/callback",
        "https://evil.example@portal.example.gov/callback",
        "https://user:pass@portal.example.gov/callback",
    ])
    .await;
}

#[tokio::test]
async fn rfc9700_4_1_redirect_uri_case_change_is_refused() {
    each_variant_is_refused(&[
        "https://portal.example.gov/Callback",
        "https://portal.example.gov/CALLBACK",
    ])
    .await;
}

#[tokio::test]
async fn rfc9700_4_1_redirect_uri_other_port_or_scheme_is_refused() {
    each_variant_is_refused(&[
        "https://portal.example.gov:8443/callback",
        "https://portal.example.gov:443/callback/..",
        "http://portal.example.gov/callback",
        "javascript://portal.example.gov/callback",
    ])
    .await;
}

#[tokio::test]
async fn rfc9700_4_1_redirect_uri_encoded_traversal_is_refused() {
    each_variant_is_refused(&[
        "https://portal.example.gov/callback/../evil",
        "https://portal.example.gov/callback/%2e%2e/evil",
        "https://portal.example.gov/callback%2f..%2fevil",
        "https://portal.example.gov/callback%00",
        "https://portal.example.gov/%63allback",
    ])
    .await;
}

#[tokio::test]
async fn rfc9700_4_1_redirect_uri_fragment_is_refused() {
    each_variant_is_refused(&[
        "https://portal.example.gov/callback#",
        "https://portal.example.gov/callback#@evil.example",
    ])
    .await;
}

#[tokio::test]
async fn rfc9700_4_1_unknown_client_is_never_redirected_to() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let res = Browser::new(&t.base)
            .get(&authorize_url(
                &t.base,
                "attacker-client",
                "https://evil.example/cb",
                &pkce_params(),
            ))
            .await;
        assert_eq!(res.status(), 400, "{}", backend.name());
        assert_eq!(location(&res), None);
    }
}

/// The response type is refused back at the registered URI with `unsupported_response_type`, and
/// nothing of a token or a code travels in the redirect.
async fn response_type_is_refused(response_type: &str) {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let mut url = url::Url::parse(&authorize_url(&t.base, &client_id, REDIRECT, &[])).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "response_type")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("response_type", response_type)
            .append_pair("nonce", "n-1");
        let browser = Browser::new(&t.base);
        let res = browser.get(url.as_str()).await;
        let back = location(&res).unwrap_or_default();
        assert!(back.starts_with(REDIRECT), "{response_type}: {back}");
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("unsupported_response_type"),
            "{response_type} on {}",
            backend.name()
        );
        assert!(!back.contains("access_token") && !back.contains("id_token="));
        assert!(!back.contains('#'), "nothing in a fragment: {back}");
        assert_eq!(query_param(&back, "code"), None);
    }
}

#[tokio::test]
async fn rfc9700_2_1_2_implicit_response_type_token_is_refused() {
    response_type_is_refused("token").await;
}

#[tokio::test]
async fn rfc9700_2_1_2_implicit_response_type_id_token_token_is_refused() {
    response_type_is_refused("id_token token").await;
}

#[tokio::test]
async fn rfc9700_2_1_2_hybrid_response_type_code_id_token_is_refused() {
    response_type_is_refused("code id_token").await;
}

/// The authorization request is answered at the registered URI with invalid_request.
async fn pkce_request_is_refused(extra: &[(&str, &str)], description: &str) {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let res = Browser::new(&t.base)
            .get(&authorize_url(&t.base, &client_id, REDIRECT, extra))
            .await;
        let back = location(&res).unwrap_or_default();
        assert!(back.starts_with(REDIRECT), "{back}");
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("invalid_request")
        );
        assert_eq!(
            query_param(&back, "error_description").as_deref(),
            Some(description),
            "{}",
            backend.name()
        );
        assert_eq!(query_param(&back, "code"), None);
    }
}

#[tokio::test]
async fn rfc9700_2_1_1_pkce_missing_is_refused() {
    pkce_request_is_refused(&[], "code_challenge (PKCE, S256) is required").await;
}

#[tokio::test]
async fn rfc9700_2_1_1_pkce_plain_downgrade_is_refused() {
    pkce_request_is_refused(
        &[
            (
                "code_challenge",
                "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            ),
            ("code_challenge_method", "plain"),
        ],
        "code_challenge_method must be S256; plain is not allowed",
    )
    .await;
}

#[tokio::test]
async fn rfc9700_2_1_1_pkce_method_without_challenge_is_refused() {
    pkce_request_is_refused(
        &[("code_challenge_method", "S256")],
        "code_challenge_method without code_challenge",
    )
    .await;
}

#[tokio::test]
async fn rfc9700_2_1_1_pkce_wrong_verifier_is_refused() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, _) = obtain_code(&t, &browser, &client_id, CITIZEN).await;
        let (wrong, _) = pkce_pair();
        let (status, body) = redeem(&t, &client_id, &secret, &code, &wrong).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert!(body.get("access_token").is_none());
    }
}

#[tokio::test]
async fn rfc9700_2_1_1_pkce_verifier_left_out_at_redemption_is_refused() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, _) = obtain_code(&t, &browser, &client_id, CITIZEN).await;
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
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert_eq!(body["error_description"], "code_verifier is required");
    }
}

#[tokio::test]
async fn rfc9700_4_2_code_replay_is_refused_and_revokes_the_first_tokens() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, CITIZEN).await;
        let (status, first) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 200, "{first}");
        let (status, again) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(
            (status, again["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let access = first["access_token"].as_str().unwrap();
        assert_eq!(userinfo(&t, access).await.0, 401, "{}", backend.name());
    }
}

#[tokio::test]
async fn rfc9700_4_2_code_redeemed_by_another_client_is_refused() {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let (thief, thief_secret) = t.add_client(REDIRECT, false).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, CITIZEN).await;
        let (status, body) = redeem(&t, &thief, &thief_secret.unwrap(), &code, &verifier).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert!(body.get("access_token").is_none(), "{}", backend.name());
    }
}

#[tokio::test]
async fn rfc9700_4_2_code_with_another_redirect_uri_at_the_token_endpoint_is_refused() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, CITIZEN).await;
        let (status, body) = token_request(
            &t,
            &client_id,
            &secret,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://evil.example/callback"),
                ("code_verifier", &verifier),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
    }
}

#[tokio::test]
async fn rfc9700_4_14_refresh_token_reuse_revokes_the_grant() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let tokens = tokens_of(&t, &client_id, &secret).await;
        let (status, rotated) = refresh_with(&t, &client_id, &secret, &tokens).await;
        assert_eq!(status, 200, "{rotated}");
        t.app.clock.advance(10); // the thief replays after the grace for racing tabs
        let (status, body) = refresh_with(&t, &client_id, &secret, &tokens).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        // The thief's replay ends the grant: the rotated refresh token is dead too.
        let (status, _) = refresh_with(&t, &client_id, &secret, &rotated).await;
        assert_eq!(status, 400, "{}", backend.name());
    }
}

#[tokio::test]
async fn rfc9700_4_14_refresh_token_of_another_client_is_refused() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let (thief, thief_secret) = t.add_client(REDIRECT, false).await;
        let tokens = tokens_of(&t, &client_id, &secret).await;
        let (status, body) = refresh_with(&t, &thief, &thief_secret.unwrap(), &tokens).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert!(body.get("access_token").is_none(), "{}", backend.name());
    }
}

#[tokio::test]
async fn rfc9700_4_4_mix_up_authorization_response_names_the_issuer() {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let (_, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        let back = Browser::new(&t.base)
            .authorize_and_login(&url, CITIZEN, PASSWORD)
            .await;
        assert_eq!(query_param(&back, "iss"), Some(t.issuer()), "{back}");
    }
}

#[tokio::test]
async fn rfc9700_4_7_state_comes_back_byte_for_byte() {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let (_, challenge) = pkce_pair();
        let state = "a&b=c<script>'\"%00 ü";
        let mut url = url::Url::parse(&authorize_url(&t.base, &client_id, REDIRECT, &[])).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "state")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("state", state)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        let back = Browser::new(&t.base)
            .authorize_and_login(url.as_str(), CITIZEN, PASSWORD)
            .await;
        assert_eq!(query_param(&back, "state").as_deref(), Some(state));
        assert!(back.starts_with(REDIRECT), "{}", backend.name());
    }
}

#[tokio::test]
async fn rfc9700_2_4_password_grant_is_refused() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let (status, body) = token_request(
            &t,
            &client_id,
            &secret,
            &[
                ("grant_type", "password"),
                ("username", CITIZEN),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unsupported_grant_type")),
            "{}",
            backend.name()
        );
    }
}
