//! OWASP ASVS V3 (session management): cookie flags, session fixation, logout and "end all
//! sessions" ending the session on the server, token revocation.

use crate::common::login::*;
use crate::common::*;
use crate::support::*;

fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

/// A browser that sends exactly `cookie` (no cookie store): whether /account opens for it.
async fn account_opens_with(t: &TestServer, cookie: &str) -> bool {
    let res = no_redirect_client()
        .get(format!("{}/account", t.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    res.status() == 200
}

#[tokio::test]
async fn asvs_v3_4_session_cookie_is_httponly_and_samesite() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person(CITIZEN).await;
        let res = submit_password(&Browser::new(&t.base), CITIZEN, PASSWORD).await;
        assert_eq!(res.status(), 303);
        let sid = set_cookies(&res)
            .into_iter()
            .find(|c| c.starts_with("vhod_sid="))
            .expect("a session cookie");
        assert!(sid.contains("HttpOnly"), "{sid}");
        assert!(sid.contains("SameSite=Lax") || sid.contains("SameSite=Strict"));
        assert!(sid.contains("Path=/"), "{}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v3_4_cookies_are_secure_when_the_issuer_is_https() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.server.issuer = "https://id.example.gov".into();
        let t = TestServer::start_with(&backend, config).await;
        let res = Browser::new(&t.base).get("/login").await;
        let cookies = set_cookies(&res);
        assert!(!cookies.is_empty(), "the login form sets its CSRF cookie");
        for c in cookies {
            assert!(c.contains("Secure"), "{c} on {}", backend.name());
            assert!(c.contains("HttpOnly"), "{c}");
        }
        assert!(
            res.headers()
                .get("strict-transport-security")
                .is_some_and(|v| v.to_str().unwrap().contains("max-age="))
        );
    }
}

#[tokio::test]
async fn asvs_v3_2_session_fixation_a_planted_session_id_is_not_adopted() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person(CITIZEN).await;
        let planted = "vhod_sid=AttackerChosenSessionId0123456789abcdefABCD";
        // The victim's browser carries the attacker's id next to its own CSRF cookie.
        let http = no_redirect_client();
        let res = http.get(format!("{}/login", t.base)).send().await.unwrap();
        let csrf = set_cookies(&res)
            .into_iter()
            .find(|c| c.starts_with("vhod_csrf="))
            .expect("a CSRF cookie");
        let mut form = hidden_fields(&res.text().await.unwrap());
        form.push(("login".into(), CITIZEN.into()));
        form.push(("password".into(), PASSWORD.into()));
        let res = http
            .post(format!("{}/login", t.base))
            .header(
                "cookie",
                format!("vhod_csrf={}; {planted}", cookie_value(&csrf)),
            )
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "the victim signs in");
        let sid = set_cookies(&res)
            .into_iter()
            .find(|c| c.starts_with("vhod_sid="))
            .expect("a new session cookie");
        assert_ne!(format!("vhod_sid={}", cookie_value(&sid)), planted);
        assert!(
            !account_opens_with(&t, planted).await,
            "the planted id opens nothing: {}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn asvs_v3_2_a_new_session_id_at_every_login() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person(CITIZEN).await;
        let browser = Browser::new(&t.base);
        let mut ids = vec![];
        for _ in 0..2 {
            let res = submit_password(&browser, CITIZEN, PASSWORD).await;
            let sid = set_cookies(&res)
                .into_iter()
                .find(|c| c.starts_with("vhod_sid="))
                .expect("a session cookie at each login");
            ids.push(cookie_value(&sid));
        }
        assert_ne!(ids[0], ids[1], "{}", backend.name());
    }
}

/// Signs CITIZEN in; the raw session cookie ("vhod_sid=…") and the browser.
async fn signed_in_with_cookie(t: &TestServer) -> (String, Browser) {
    let browser = Browser::new(&t.base);
    let res = submit_password(&browser, CITIZEN, PASSWORD).await;
    let sid = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("vhod_sid="))
        .expect("a session cookie");
    let cookie = format!("vhod_sid={}", cookie_value(&sid));
    assert!(account_opens_with(t, &cookie).await, "the cookie works");
    (cookie, browser)
}

#[tokio::test]
async fn asvs_v3_3_logout_ends_the_session_on_the_server() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person(CITIZEN).await;
        let (cookie, browser) = signed_in_with_cookie(&t).await;
        let page = page_at(&browser, "/session/end").await;
        let res = browser.submit(&page, "/session/end/confirm", &[]).await;
        assert!(res.status().is_success() || res.status().is_redirection());
        assert!(
            !account_opens_with(&t, &cookie).await,
            "a copied cookie is dead after logout: {}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn asvs_v3_3_ending_all_sessions_ends_a_stolen_copy() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person(CITIZEN).await;
        let (stolen, _) = signed_in_with_cookie(&t).await;
        let owner = fresh_signed_in(&t.base, CITIZEN).await;
        let page = page_at(&owner, "/account").await;
        let csrf = hidden_fields(&page)
            .into_iter()
            .find(|(n, _)| n == "csrf")
            .expect("the form's CSRF token");
        let res = owner
            .http
            .post(format!("{}/account/sessions/end-all", t.base))
            .form(&[csrf])
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_redirection() || res.status().is_success(),
            "{}",
            res.status()
        );
        assert!(!account_opens_with(&t, &stolen).await, "{}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v3_5_revoked_access_token_stops_working() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let tokens = tokens_of(&t, &client_id, &secret).await;
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(userinfo(&t, access).await.0, 200);
        let res = no_redirect_client()
            .post(format!("{}/revoke", t.base))
            .basic_auth(&client_id, Some(&secret))
            .form(&[("token", access)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(userinfo(&t, access).await.0, 401, "{}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v3_5_refresh_token_revoked_ends_the_grant() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let tokens = tokens_of(&t, &client_id, &secret).await;
        let res = no_redirect_client()
            .post(format!("{}/revoke", t.base))
            .basic_auth(&client_id, Some(&secret))
            .form(&[("token", tokens["refresh_token"].as_str().unwrap())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let (status, body) = refresh_with(&t, &client_id, &secret, &tokens).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
    }
}
