//! The password login form, driven like a browser: one set of helpers for every test file
//! (`use common::login::*`). The plain helpers (`login_page`, `submit_password` and the ones built on
//! them) sign in without a challenge; the `attempt*` helpers solve the proof-of-work check the way
//! the page script would (tests/lockout.rs, tests/threats_login.rs). Also: browsers from other
//! loopback addresses, an authenticator app, lock notices.
use super::*;
use vhod::authn::{challenge, totp};

/// The login form of a fresh page (GET /login must answer 200).
pub async fn login_page(browser: &Browser) -> String {
    match browser.follow("/login").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    }
}

/// Login and password on a fresh login form; the answer, not followed.
pub async fn submit_password(browser: &Browser, login: &str, password: &str) -> reqwest::Response {
    let page = login_page(browser).await;
    browser
        .submit(&page, "/login", &[("login", login), ("password", password)])
        .await
}

/// The status of a password login in `browser` (the browser keeps the session if one started).
pub async fn password_status(browser: &Browser, login: &str, password: &str) -> u16 {
    submit_password(browser, login, password)
        .await
        .status()
        .as_u16()
}

/// A password login in a fresh browser: (status, browser).
pub async fn fresh_login(base: &str, login: &str, password: &str) -> (u16, Browser) {
    let b = Browser::new(base);
    let status = password_status(&b, login, password).await;
    (status, b)
}

/// Like `fresh_login`, and the login form must link password recovery («Забыли пароль?»).
pub async fn fresh_login_linking_recovery(
    base: &str,
    login: &str,
    password: &str,
) -> (u16, Browser) {
    let b = Browser::new(base);
    let page = login_page(&b).await;
    assert!(
        page.contains("Забыли пароль?"),
        "the login form links recovery"
    );
    let res = b
        .submit(&page, "/login", &[("login", login), ("password", password)])
        .await;
    (res.status().as_u16(), b)
}

/// A password login in a fresh browser: (status, Location); the browser is dropped.
pub async fn fresh_login_location(
    base: &str,
    login: &str,
    password: &str,
) -> (u16, Option<String>) {
    let res = submit_password(&Browser::new(base), login, password).await;
    (res.status().as_u16(), location(&res))
}

/// Signs in with PASSWORD; the answer must be 303 (`context` names the case when it is not).
pub async fn sign_in_303(browser: &Browser, login: &str, context: &str) {
    let res = submit_password(browser, login, PASSWORD).await;
    assert_eq!(res.status(), 303, "{context}");
}

/// A fresh browser signed in with PASSWORD (the answer must be 303).
pub async fn fresh_signed_in(base: &str, login: &str) -> Browser {
    let b = Browser::new(base);
    sign_in_303(&b, login, &format!("{login} signs in")).await;
    b
}

/// Signs in with PASSWORD only (no second factor): the answer must send the browser to /account.
pub async fn sign_in_to_account(browser: &Browser, login: &str) {
    let res = submit_password(browser, login, PASSWORD).await;
    assert_eq!(location(&res).as_deref(), Some("/account"));
}

/// Like `sign_in_to_account`, and the answer's status must be 303 (checked first).
pub async fn sign_in_303_to_account(browser: &Browser, login: &str) {
    let res = submit_password(browser, login, PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res).as_deref(), Some("/account"));
}

/// A fresh browser signed in with PASSWORD, the redirects followed to the account page
/// («Мои данные»).
pub async fn new_browser_at_account(base: &str, login: &str) -> Browser {
    let b = Browser::new(base);
    let page = login_page(&b).await;
    match b
        .submit_follow(&page, "/login", &[("login", login), ("password", PASSWORD)])
        .await
    {
        Landing::Page(200, html) => assert!(html.contains("Мои данные"), "{html}"),
        other => panic!("login failed: {other:?}"),
    }
    b
}

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

/// The password step of a login that continues with a second factor: the login page at `url` (of
/// an authorization, perhaps), PASSWORD submitted, the answer must lead to /login/second-factor;
/// returns that page.
pub async fn password_to_second_factor(browser: &Browser, url: &str, login: &str) -> String {
    let page = match browser.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let res = browser
        .submit(&page, "/login", &[("login", login), ("password", PASSWORD)])
        .await;
    assert_eq!(
        location(&res).as_deref(),
        Some("/login/second-factor"),
        "the password alone does not sign in"
    );
    match browser.follow("/login/second-factor").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    }
}

/// Like `attempt`, but the answer's body is returned whatever the status (a redirect gives its
/// body, not its target): (status, body).
pub async fn attempt_body(
    browser: &Browser,
    page: &str,
    login: &str,
    password: &str,
) -> (u16, String) {
    let solution = challenge_of(page).map(|c| challenge::solve(&c));
    let mut fields = vec![("login", login), ("password", password)];
    if let Some(s) = &solution {
        fields.push(("pow_solution", s));
    }
    let res = browser.submit(page, "/login", &fields).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// A fresh login page and an `attempt_body`; when the refusal page says «Подтвердите, что вы не
/// робот» (the identifier's failures call for the check), its challenge is solved and the attempt
/// made again (what the page script does). `password_login` decides by the challenge field and
/// the lock text instead, and returns a redirect's target.
pub async fn attempt_solved_body(browser: &Browser, login: &str, password: &str) -> (u16, String) {
    let page = login_page(browser).await;
    let (status, html) = attempt_body(browser, &page, login, password).await;
    if status == 400 && html.contains("Подтвердите, что вы не робот") {
        return attempt_body(browser, &html, login, password).await;
    }
    (status, html)
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
