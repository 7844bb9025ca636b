//! Helpers of tests/threats_login.rs: browsers from other loopback addresses, the login form,
//! its challenge, a password login that solves the check when asked, an authenticator app.
#![allow(dead_code)]

use super::*;
use vhod::authn::{challenge, totp};

/// A browser whose connections come from `ip` (any 127.0.0.0/8 address on Linux), i.e. a visitor
/// from another address.
pub fn browser_from(t: &TestServer, ip: &str) -> Browser {
    Browser {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(ip.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap(),
        base: t.base.replace("localhost", "127.0.0.1"),
    }
}

pub async fn page_at(browser: &Browser, url: &str) -> String {
    match browser.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("{url}: {other:?}"),
    }
}

pub fn challenge_of(html: &str) -> Option<String> {
    hidden_fields(html)
        .into_iter()
        .find(|(n, _)| n == "pow_challenge")
        .map(|(_, v)| v)
}

/// Submits login and password from `page`, solving its challenge like the page script would.
pub async fn attempt(browser: &Browser, page: &str, login: &str, password: &str) -> (u16, String) {
    let solution = challenge_of(page).map(|c| challenge::solve(&c));
    let mut fields = vec![("login", login), ("password", password)];
    if let Some(s) = &solution {
        fields.push(("pow_solution", s));
    }
    let res = browser.submit(page, "/login", &fields).await;
    let status = res.status().as_u16();
    let body = match location(&res) {
        Some(l) => l,
        None => res.text().await.unwrap(),
    };
    (status, body)
}

/// A fresh login page and an attempt; a refusal that asks for the check is solved and retried.
/// Returns (status, page or redirect target).
pub async fn password_login(browser: &Browser, login: &str, password: &str) -> (u16, String) {
    let page = page_at(browser, "/login").await;
    let (status, html) = attempt(browser, &page, login, password).await;
    if status == 400 && challenge_of(&html).is_some() && !html.contains("заблокирован")
    {
        return attempt(browser, &html, login, password).await;
    }
    (status, html)
}

/// `n` wrong passwords for `login`.
pub async fn fail_passwords(browser: &Browser, login: &str, n: usize) {
    for i in 0..n {
        let (status, html) = password_login(browser, login, "Wrong-Pass-1!").await;
        assert!(
            status == 401 || status == 403,
            "failure {i}: {status} {html}"
        );
    }
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    html.split(start).nth(1).and_then(|r| r.split(end).next())
}

/// Signs in with the password and connects an authenticator app; returns its secret.
pub async fn enrol_app(t: &TestServer, browser: &Browser, login: &str) -> String {
    let (status, to) = password_login(browser, login, PASSWORD).await;
    assert_eq!((status, to.as_str()), (303, "/account"));
    let page = page_at(browser, "/account/security").await;
    let res = browser
        .submit(&page, "/account/security/totp/start", &[])
        .await;
    assert_eq!(res.status(), 303);
    let page = page_at(browser, &location(&res).unwrap()).await;
    let secret = between(&page, "id=\"totp-secret\">", "<")
        .unwrap()
        .to_string();
    let code = totp::code_at(&secret, t.app.clock.now()).unwrap();
    let res = browser
        .submit(&page, "/account/security/totp/confirm", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 303);
    secret
}

/// A six-digit code the app does not show now, nor one step before or after.
pub fn wrong_code(t: &TestServer, secret: &str) -> String {
    let now = t.app.clock.now();
    let near: Vec<String> = [now - 30, now, now + 30]
        .iter()
        .map(|at| totp::code_at(secret, *at).unwrap())
        .collect();
    (0..)
        .map(|n| format!("{:06}", n * 111_111 % 1_000_000))
        .find(|c| !near.contains(c))
        .unwrap()
}

/// The password step of a login with an app: returns the second-step page.
pub async fn to_second_step(browser: &Browser, login: &str) -> String {
    let (status, to) = password_login(browser, login, PASSWORD).await;
    assert_eq!((status, to.as_str()), (303, "/login/second-factor"));
    page_at(browser, "/login/second-factor").await
}

/// One app code on the second-step page: (status, body or redirect target).
pub async fn submit_code(browser: &Browser, page: &str, code: &str) -> (u16, String) {
    let res = browser
        .submit(
            page,
            "/login/second-factor",
            &[("method", "totp"), ("code", code)],
        )
        .await;
    let status = res.status().as_u16();
    let body = match location(&res) {
        Some(l) => l,
        None => res.text().await.unwrap(),
    };
    (status, body)
}

/// Lock notices the outbox holds for `to`.
pub async fn lock_notices(t: &TestServer, to: &str) -> usize {
    t.app
        .store
        .outbox(Some(to), 100)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.subject.contains("Вход по паролю временно заблокирован"))
        .count()
}
