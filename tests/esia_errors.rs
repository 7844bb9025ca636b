//! Every ESIA error code, each provoked by one specific bad input: on /aas/oauth2/v2/ac a redirect
//! to the trusted redirect_uri with `error`, `error_description` "ESIA-0070xx: …" and `state` (a
//! readable page while the redirect_uri is not trusted); on /aas/oauth2/v3/te 400 JSON with
//! `{error, error_description, state}`.

mod common;
mod esia_rp;

use common::*;
use esia_rp::*;

/// The ESIA code a v2/ac request answers with: from the redirect (checking the state came back),
/// or from the error page.
async fn ac_code(rp: &EsiaRp, params: &[(String, String)], browser: &Browser) -> String {
    let state = params
        .iter()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.clone());
    let res = browser.get(&rp.ac_url(params)).await;
    match location(&res) {
        Some(url) if url.starts_with(PORTAL_REDIRECT) => {
            assert_eq!(
                param(&url, "state"),
                state,
                "state goes back with the error"
            );
            assert!(param(&url, "error").is_some());
            param(&url, "error_description").unwrap()[..11].to_string()
        }
        Some(other) => panic!("unexpected redirect {other}"),
        None => {
            assert_eq!(res.status(), 400);
            let html = res.text().await.unwrap();
            let at = html.find("ESIA-0070").expect("the page names the code");
            html[at..at + 11].to_string()
        }
    }
}

#[tokio::test]
async fn each_authorization_request_error_has_its_esia_code() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_E1", &["fullname", "birthdate"]).await;
        let browser = Browser::new(&t.base);
        let now = t.app.clock.now();
        let good = || rp.ac_params(now, "openid fullname", &new_state(), PHP);
        let cases: Vec<(&str, Vec<(String, String)>)> = vec![
            ("ESIA-007002", {
                let mut p = good();
                set(&mut p, "client_certificate_hash", Some(&"0".repeat(64)));
                p
            }),
            ("ESIA-007003", {
                let mut p = good();
                set(&mut p, "state", Some("not-a-uuid"));
                p
            }),
            ("ESIA-007003", {
                let mut p = good();
                p.push(("scope".into(), "openid".into()));
                p
            }),
            (
                "ESIA-007006",
                rp.ac_params(now, "openid no_such_scope", &new_state(), PHP),
            ),
            ("ESIA-007013", rp.ac_params(now, "", &new_state(), PHP)),
            ("ESIA-007014", {
                let mut p = good();
                set(&mut p, "timestamp", None);
                p
            }),
            ("ESIA-007014", {
                let mut p = good();
                set(&mut p, "client_id", None);
                p
            }),
            (
                "ESIA-007015",
                rp.ac_params(now - 3600, "openid fullname", &new_state(), PHP),
            ),
            (
                "ESIA-007019",
                rp.ac_params(now, "openid snils", &new_state(), PHP),
            ),
            ("ESIA-007023", {
                let mut p = good();
                set(&mut p, "redirect_uri", Some("https://evil.example/cb"));
                p
            }),
            ("ESIA-007053", {
                // Signed over other parameters than those sent.
                let mut p = good();
                set(&mut p, "scope_org", Some("org_emps"));
                p
            }),
            ("ESIA-007053", {
                let mut p = good();
                set(&mut p, "client_secret", Some(&"A".repeat(86)));
                p
            }),
        ];
        for (want, params) in cases {
            let got = ac_code(&rp, &params, &browser).await;
            assert_eq!(got, want, "{}: {params:?}", backend.name());
        }

        // An OpenID client may not use the ESIA method.
        let (oidc_id, _) = t.add_client(PORTAL_REDIRECT, false).await;
        let mut p = good();
        set(&mut p, "client_id", Some(&oidc_id));
        assert_eq!(ac_code(&rp, &p, &browser).await, "ESIA-007005");
    }
}

#[tokio::test]
async fn refusal_and_level_errors_go_back_to_the_portal() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_E2", &[]).await;
        t.add_person("+79005550201").await;
        let browser = Browser::new(&t.base);
        // 007004: the person denies on the consent page.
        let state = new_state();
        let url = rp.ac_url(&rp.ac_params(t.app.clock.now(), "openid fullname", &state, PHP));
        let page = match browser.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let consent = match browser
            .submit_follow(
                &page,
                "/login",
                &[("login", "+79005550201"), ("password", PASSWORD)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let back = match browser
            .submit_follow(&consent, &form_action(&consent), &[("decision", "deny")])
            .await
        {
            Landing::Left(url) => url,
            other => panic!("{other:?}"),
        };
        assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
        assert!(
            param(&back, "error_description")
                .unwrap()
                .starts_with("ESIA-007004")
        );
        assert_eq!(param(&back, "state"), Some(state));

        // 007055: a portal for confirmed accounts, a simplified account.
        let strict = register_rp_with(&t, "PORTAL_E3", &[], Some("confirmed")).await;
        let url = strict.ac_url(&strict.ac_params(
            t.app.clock.now(),
            "openid fullname",
            &new_state(),
            PHP,
        ));
        match browser.follow(&url).await {
            Landing::Page(403, html) => {
                assert!(
                    html.contains("ESIA-007055"),
                    "{}: back link carries 007055",
                    backend.name()
                )
            }
            other => panic!("level page expected: {other:?}"),
        }
    }
}

#[tokio::test]
async fn each_token_request_error_is_400_json_with_its_code_and_state() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_E4", &[]).await;
        t.add_person("+79005550401").await;
        let browser = Browser::new(&t.base);
        let now = t.app.clock.now();

        // A code bound to a PKCE challenge.
        let verifier = "v".repeat(50);
        let challenge = {
            use base64::Engine;
            use sha2::Digest;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()))
        };
        let pkce_code = || async {
            let mut p = rp.ac_params(t.app.clock.now(), "openid fullname", &new_state(), PHP);
            p.push(("code_challenge".into(), challenge.clone()));
            p.push(("code_challenge_method".into(), "S256".into()));
            let back = sign_in_and_allow(&browser, &rp.ac_url(&p), "+79005550401").await;
            param(&back, "code").expect("code")
        };

        let code = pkce_code().await;
        let mut cases: Vec<(&str, Vec<(String, String)>)> = vec![];
        cases.push((
            "ESIA-007039",
            rp.code_form(now, &code, "openid fullname", PHP),
        ));
        let code = pkce_code().await;
        let mut f = rp.code_form(now, &code, "openid fullname", PHP);
        f.push(("code_verifier".into(), "w".repeat(50)));
        cases.push(("ESIA-007040", f));
        cases.push(("ESIA-007011", {
            let mut f = rp.code_form(now, "no-such-code", "openid fullname", PHP);
            f.push(("code_verifier".into(), verifier.clone()));
            f
        }));
        cases.push(("ESIA-007009", {
            let mut f = rp.code_form(now, "x", "openid", PHP);
            set(&mut f, "grant_type", Some("password"));
            f
        }));
        cases.push(("ESIA-007014", {
            let mut f = rp.code_form(now, "x", "openid", PHP);
            set(&mut f, "client_secret", None);
            f
        }));
        cases.push(("ESIA-007003", {
            let mut f = rp.code_form(now, "x", "openid", PHP);
            set(&mut f, "state", Some("123"));
            f
        }));
        cases.push(("ESIA-007015", rp.code_form(now + 3600, "x", "openid", PHP)));
        cases.push(("ESIA-007053", {
            let mut f = rp.code_form(now, "x", "openid", PHP);
            set(&mut f, "code", Some("y"));
            f
        }));
        cases.push(("ESIA-007002", {
            let mut f = rp.code_form(now, "x", "openid", PHP);
            set(&mut f, "client_certificate_hash", Some(&"f".repeat(64)));
            f
        }));
        cases.push((
            "ESIA-007006",
            rp.client_credentials_form(now, "org_nonsense", PHP),
        ));
        cases.push((
            "ESIA-007019",
            rp.client_credentials_form(now, "org_emps?org_oid=1", PHP),
        ));
        cases.push(("ESIA-007013", rp.client_credentials_form(now, "", PHP)));
        for (want, form) in cases {
            let state = form
                .iter()
                .find(|(k, _)| k == "state")
                .map(|(_, v)| v.clone());
            let (status, body) = rp.te(&form).await;
            assert_eq!(status, 400, "{want}: {body}");
            let desc = body["error_description"].as_str().unwrap_or_default();
            assert!(
                desc.starts_with(want),
                "{}: {want} expected, got {body}",
                backend.name()
            );
            assert_eq!(body["state"].as_str().map(str::to_owned), state);
        }
        // The right verifier still works for a fresh code.
        let code = pkce_code().await;
        let mut f = rp.code_form(t.app.clock.now(), &code, "openid fullname", PHP);
        f.push(("code_verifier".into(), verifier.clone()));
        let (status, body) = rp.te(&f).await;
        assert_eq!(status, 200, "{body}");
    }
}
