//! /account/security: the session list with "end session" and "end all others", the login
//! history («Просмотр последних действий»), and new-device login alerts.

mod common;

use common::login::password_status;
use common::*;

const CHROME_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

/// A browser that sends a User-Agent.
fn browser_as(base: &str, user_agent: &str) -> Browser {
    Browser {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: base.to_string(),
    }
}

async fn security_page(browser: &Browser) -> String {
    match browser.follow("/account/security").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    }
}

async fn is_signed_in(browser: &Browser) -> bool {
    // Signed out, /account sends the browser to the login page.
    let res = browser.get("/account").await;
    res.status() == 200
}

/// The sid of the session row that mentions `device`.
fn session_of(page: &str, device: &str) -> String {
    let row = page
        .split("<li class=\"session\">")
        .skip(1)
        .find(|r| r.split("</li>").next().unwrap().contains(device))
        .unwrap_or_else(|| panic!("no session row for {device}: {page}"));
    row.split("name=\"session\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_session_list_names_devices_and_ends_one_session_or_all_others() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79004440001").await;
        let me = browser_as(&t.base, CHROME_WINDOWS);
        let laptop = browser_as(&t.base, FIREFOX_LINUX);
        let phone = browser_as(&t.base, SAFARI_IPHONE);
        for b in [&me, &laptop, &phone] {
            assert_eq!(password_status(b, "+79004440001", PASSWORD).await, 303);
        }
        let page = security_page(&me).await;
        assert_eq!(page.matches("<li class=\"session\">").count(), 3, "{page}");
        assert!(page.contains("Firefox, Linux") && page.contains("Safari, iOS"));
        let mine = page
            .split("<li class=\"session\">")
            .find(|r| r.contains("это устройство"))
            .expect("the current session is marked");
        assert!(mine.contains("Chrome, Windows"));
        assert!(page.contains("IP 127.0.0.1"));

        // End the laptop's session: only the laptop is signed out.
        let sid = session_of(&page, "Firefox, Linux");
        let res = me
            .submit(
                &page,
                "/account/security/sessions/end",
                &[("session", &sid)],
            )
            .await;
        assert_eq!(location(&res).as_deref(), Some("/account/security"));
        assert!(!is_signed_in(&laptop).await, "{}", backend.name());
        assert!(is_signed_in(&phone).await);
        assert!(is_signed_in(&me).await);

        // A session of someone else (or a made-up id) cannot be ended from here.
        let res = me
            .submit(
                &page,
                "/account/security/sessions/end",
                &[("session", "nope")],
            )
            .await;
        assert_eq!(res.status(), 404);

        // End all others: the phone is signed out, this browser stays.
        let page = security_page(&me).await;
        me.submit(&page, "/account/security/sessions/end-others", &[])
            .await;
        assert!(!is_signed_in(&phone).await);
        assert!(is_signed_in(&me).await);
        let page = security_page(&me).await;
        assert_eq!(page.matches("<li class=\"session\">").count(), 1);
    }
}

#[tokio::test]
async fn recent_activity_lists_date_device_ip_method_and_result_of_each_login() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("history@example.org").await;
        let b = browser_as(&t.base, FIREFOX_LINUX);
        assert_eq!(
            password_status(&b, "history@example.org", "Wrong-Pass-1!").await,
            401
        );
        assert_eq!(
            password_status(&b, "history@example.org", PASSWORD).await,
            303
        );
        let page = security_page(&b).await;
        assert!(page.contains("Просмотр последних действий"));
        let rows: Vec<&str> = page
            .split("<tr class=\"event\">")
            .skip(1)
            .map(|r| r.split("</tr>").next().unwrap())
            // The sign-ins; the security changes (here the new device) are lines of their own.
            .filter(|r| r.contains("Вход: "))
            .collect();
        assert_eq!(rows.len(), 2, "{}: {page}", backend.name());
        assert!(page.contains("Вход с нового устройства: Firefox, Linux, 127.0.0.1"));
        // Newest first: the success, then the failure; both with device, IP and method.
        assert!(rows[0].contains("Успешно") && rows[1].contains("Ошибка"));
        for r in &rows {
            assert!(
                r.contains("Firefox, Linux") && r.contains("127.0.0.1") && r.contains("Пароль")
            );
        }
        // Date and time in Moscow time, the one format of every page («2 декабря 2026, 16:38 МСК»).
        let now = vhod::lang::Tr::new(vhod::lang::Lang::Ru).date(t.app.clock.now());
        assert!(
            rows[0].contains(&now) && rows[0].contains("МСК"),
            "{now} in {}",
            rows[0]
        );
    }
}

#[tokio::test]
async fn login_alerts_come_only_for_a_new_device_and_only_when_turned_on() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let email = "alerts@example.org";
        t.add_person(email).await;
        let first = browser_as(&t.base, CHROME_WINDOWS);
        assert_eq!(password_status(&first, email, PASSWORD).await, 303);
        let before = t.last_message(email).await;

        // Off by default: a new device signs in quietly.
        let other = browser_as(&t.base, FIREFOX_LINUX);
        assert_eq!(password_status(&other, email, PASSWORD).await, 303);
        assert_eq!(t.last_message(email).await, before);

        let page = security_page(&first).await;
        assert!(page.contains("Уведомления о входе"));
        let res = first
            .submit(&page, "/account/security/alerts", &[("alerts", "on")])
            .await;
        assert_eq!(res.status(), 303);
        assert!(security_page(&first).await.contains("Включены"));

        // A device seen before: no alert.
        let again = browser_as(&t.base, FIREFOX_LINUX);
        assert_eq!(password_status(&again, email, PASSWORD).await, 303);
        assert_eq!(t.last_message(email).await, before, "{}", backend.name());

        // A new device: an alert naming it.
        let new = browser_as(&t.base, SAFARI_IPHONE);
        assert_eq!(password_status(&new, email, PASSWORD).await, 303);
        let alert = t.last_message(email).await;
        assert_eq!(alert["subject"], "Вход с нового устройства");
        let body = alert["body"].as_str().unwrap();
        assert!(
            body.contains("Safari, iOS") && body.contains("127.0.0.1"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn security_forms_refuse_a_missing_csrf_token_and_a_signed_out_browser() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79004440009").await;
        let b = browser_as(&t.base, CHROME_WINDOWS);
        assert_eq!(password_status(&b, "+79004440009", PASSWORD).await, 303);
        for path in [
            "/account/security/totp/start",
            "/account/security/sms/start",
            "/account/security/sessions/end-others",
            "/account/security/alerts",
            "/login/second-factor",
        ] {
            let res = b.post(path, &[("alerts", "on")]).await;
            assert_eq!(res.status(), 403, "{}: {path}", backend.name());
        }
        // Signed out: the page and its forms send the browser to the login page.
        let stranger = browser_as(&t.base, CHROME_WINDOWS);
        let res = stranger.get("/account/security").await;
        assert_eq!(location(&res).as_deref(), Some("/login"));
        let page = match stranger.follow("/login").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let res = stranger
            .submit(&page, "/account/security/totp/start", &[])
            .await;
        assert_eq!(location(&res).as_deref(), Some("/login"));
    }
}

/// «Вы вошли как … Не вы?» on the pages where someone could be about to act as another (the
/// consent page of a portal, the login page), in the person's language, and on no other page; the
/// name comes from the same one read of the session the page's own checks use (web::visitor).
#[tokio::test]
async fn the_consent_page_says_who_is_signed_in_in_the_persons_language() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, _) = t.add_client(REDIRECT, false).await;
        t.add_person("who@example.ru").await;
        let b = Browser::new(&t.base);
        assert_eq!(password_status(&b, "who@example.ru", PASSWORD).await, 303);
        let (_, challenge) = pkce_pair();
        let pkce = [
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        for (lang, says, not_you) in [
            ("ru", "Вы вошли как", "Не вы?"),
            ("en", "You are signed in as", "Not you?"),
        ] {
            let url = authorize_url(
                &t.base,
                &client_id,
                REDIRECT,
                &[
                    pkce[0],
                    pkce[1],
                    ("prompt", "consent"),
                    ("ui_locales", lang),
                ],
            );
            let html = match b.follow(&url).await {
                Landing::Page(200, html) => html,
                other => panic!("{}: {other:?}", backend.name()),
            };
            assert!(html.contains("name=\"decision\""), "consent page: {html}");
            assert!(
                html.contains(&format!("{says} <b>Иванов Иван</b>")),
                "{} {lang}: {html}",
                backend.name()
            );
            assert!(html.contains(not_you), "{lang}: {html}");
        }
        // Not on the person's own pages: there is nobody else to be.
        let account = match b.follow("/account/security").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(!account.contains("Вы вошли как"), "{account}");
        // Signed out, the consent pages are behind the login page, which names nobody.
        let other = Browser::new(&t.base);
        match other
            .follow(&authorize_url(&t.base, &client_id, REDIRECT, &pkce))
            .await
        {
            Landing::Page(200, html) => {
                assert!(html.contains("name=\"password\""), "{html}");
                assert!(!html.contains("Вы вошли как"), "{html}");
            }
            other => panic!("{other:?}"),
        }
    }
}
