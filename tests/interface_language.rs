//! Issue 12, defect 1: the language a person chooses is kept. A switcher on every page (a plain
//! link, no JavaScript) remembers the choice in a cookie and on the account; every page uses it
//! over the browser's language; the e-mail link carries it; codes, notices and the farewell are
//! written in it; the admin console speaks it; the deletion word is the page's.

mod common;

use common::login::{fail_passwords, login_page};
use common::*;

/// A browser whose every request says `Accept-Language: accept` (cookies kept, redirects not
/// followed).
fn browser_speaking(base: &str, accept: &str) -> Browser {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_str(accept).unwrap(),
    );
    Browser::sending(base, headers, None)
}

async fn page(b: &Browser, url: &str) -> String {
    match b.follow(url).await {
        Landing::Page(_, html) => html,
        other => panic!("{url}: {other:?}"),
    }
}

fn page_lang(html: &str) -> &str {
    html.split("<html lang=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
}

/// Follows the switcher's link to `to`, as a click would: 303 back to the page.
async fn switch(b: &Browser, to: &str, back: &str) {
    let res = b
        .get(&format!("/lang?to={to}&back={}", urlencode(back)))
        .await;
    assert_eq!(res.status(), 303, "the switcher answers with a redirect");
    assert_eq!(location(&res).as_deref(), Some(back), "and goes back");
}

async fn sign_in(b: &Browser, login: &str) {
    let form = login_page(b).await;
    let res = b
        .submit(&form, "/login", &[("login", login), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status(), 303, "{login} signs in");
}

#[tokio::test]
async fn every_page_has_a_switcher_link_and_the_choice_beats_the_browser_language() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let b = browser_speaking(&t.base, "ru-RU,ru;q=0.9");
        for url in ["/", "/login", "/register", "/recover", "/no-such-page"] {
            let html = page(&b, url).await;
            assert_eq!(
                page_lang(&html),
                "ru",
                "{url} starts in the browser's language"
            );
            let html = html.replace("&#38;", "&").replace("&amp;", "&");
            assert!(
                html.contains("href=\"/lang?to=en&back="),
                "{url} links the switcher without JavaScript: {html}"
            );
        }
        assert!(
            page(&b, "/register?x=1")
                .await
                .contains("back=%2Fregister%3Fx%3D1")
        );

        switch(&b, "en", "/register").await;
        for url in ["/", "/login", "/register", "/recover", "/no-such-page"] {
            assert_eq!(
                page_lang(&page(&b, url).await),
                "en",
                "{url} after choosing English"
            );
        }
        // A language named in the address still wins for that page (a portal's ui_locales).
        assert_eq!(page_lang(&page(&b, "/login?lang=ru").await), "ru");

        switch(&b, "ru", "/").await;
        assert_eq!(page_lang(&page(&b, "/login").await), "ru");

        // Somewhere else than this server is never a way back.
        for evil in [
            "%2F%2Fevil.example",
            "https%3A%2F%2Fevil.example%2F",
            "%2F%5Cevil.example",
            "%2F%09%2Fevil.example",
            "evil.example",
            "javascript%3Aalert(1)",
        ] {
            let res = b.get(&format!("/lang?to=en&back={evil}")).await;
            assert_eq!(res.status(), 303, "{evil}");
            assert_eq!(location(&res).as_deref(), Some("/"), "{evil}");
        }
        let res = b.get("/lang?to=en&back=%2Faccount%3Fx%3D1").await;
        assert_eq!(location(&res).as_deref(), Some("/account?x=1"));
        assert_eq!(b.get("/lang?to=de&back=%2F").await.status(), 400);
    }
}

#[tokio::test]
async fn account_pages_follow_the_accounts_choice_not_the_browser_language() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79007770001").await;
        let here = browser_speaking(&t.base, "ru");
        sign_in(&here, "+79007770001").await;
        assert_eq!(page_lang(&page(&here, "/account").await), "ru");
        switch(&here, "en", "/account").await;
        assert_eq!(page_lang(&page(&here, "/account").await), "en");

        // Another device, a Russian browser, no cookie of the switcher: the account's choice.
        let there = browser_speaking(&t.base, "ru-RU,ru");
        sign_in(&there, "+79007770001").await;
        for url in [
            "/account",
            "/account/security",
            "/account/permissions",
            "/account/contacts",
            "/account/documents",
        ] {
            assert_eq!(page_lang(&page(&there, url).await), "en", "{url}");
        }
    }
}

#[tokio::test]
async fn the_email_link_keeps_the_language_of_the_registration_page() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let b = browser_speaking(&t.base, "ru");
        let form = page(&b, "/register?lang=en").await;
        assert_eq!(page_lang(&form), "en");
        let res = b
            .submit(
                &form,
                "/register",
                &[
                    ("surname", "Smith"),
                    ("name", "Anna"),
                    ("contact", "anna@example.org"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let mail = t.last_message("anna@example.org").await;
        assert_eq!(mail["subject"], "Confirm your e-mail");
        let body = mail["body"].as_str().unwrap();
        let link = body
            .split_whitespace()
            .find(|w| w.contains("/register/verify?"))
            .unwrap();
        assert!(link.contains("lang=en"), "{link}");
        // Opened in a browser that speaks Russian: still English.
        let fresh = browser_speaking(&t.base, "ru");
        assert_eq!(page_lang(&page(&fresh, link).await), "en");
    }
}

#[tokio::test]
async fn codes_and_notices_are_written_in_the_persons_language() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let id = t.add_person("+79007770002").await;

        // A recovery code asked for from the English page.
        let b = browser_speaking(&t.base, "ru");
        let form = page(&b, "/recover?lang=en").await;
        let res = b
            .submit(&form, "/recover", &[("login", "+79007770002")])
            .await;
        assert!(res.status().is_redirection() || res.status() == 200);
        let sms = t.last_message("+79007770002").await;
        assert_eq!(sms["subject"], "Account recovery", "{sms}");
        assert!(
            sms["body"].as_str().unwrap().contains("recovery code"),
            "{sms}"
        );

        // A notice nobody asked for from a page: the account's language.
        t.app
            .store
            .set_account_lang(&id, vhod::lang::Lang::En)
            .await
            .unwrap();
        let stranger = Browser::new(&t.base);
        fail_passwords(&stranger, "+79007770002", 10).await;
        let notice = t.last_message("+79007770002").await;
        assert_eq!(
            notice["subject"], "Password sign-in temporarily locked",
            "{notice}"
        );
    }
}

#[tokio::test]
async fn deleting_in_english_asks_for_an_english_word_and_says_goodbye_in_english() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("leaving@example.org").await;
        let b = browser_speaking(&t.base, "en-GB,en");
        sign_in(&b, "leaving@example.org").await;
        let form = page(&b, "/account/delete").await;
        assert_eq!(page_lang(&form), "en");
        assert!(form.contains("irreversibly"), "{form}");
        assert!(
            !form.contains("безвозвратно"),
            "no Russian word to type: {form}"
        );
        let res = b
            .submit(&form, "/account/delete", &[("confirm", "безвозвратно")])
            .await;
        assert_eq!(
            res.status(),
            400,
            "the Russian word is not the English page's"
        );
        let res = b
            .submit(&form, "/account/delete", &[("confirm", " Irreversibly ")])
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(t.app.store.count_accounts().await.unwrap(), 0);
        let farewell = t.last_message("leaving@example.org").await;
        assert_eq!(farewell["subject"], "vhod: account deleted", "{farewell}");
    }
}

#[tokio::test]
async fn the_admin_console_speaks_the_chosen_language() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let english = browser_speaking(&t.base, "en");
        let html = page(&english, "/admin/console").await;
        assert_eq!(page_lang(&html), "en");
        assert!(html.contains("Security administration console"), "{html}");

        let chose = browser_speaking(&t.base, "ru");
        assert_eq!(page_lang(&page(&chose, "/admin/console").await), "ru");
        switch(&chose, "en", "/admin/console").await;
        assert_eq!(page_lang(&page(&chose, "/admin/console").await), "en");
    }
}

#[tokio::test]
async fn times_are_shown_in_the_time_zone_the_person_chose() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let b = common::identity::signed_in(&t, "+79007770031").await;
        let account = page(&b, "/account").await;
        assert!(
            account.contains("<option value=\"Europe/Moscow\" selected>МСК (UTC+3)</option>"),
            "Moscow time until a choice: {account}"
        );
        let security = page(&b, "/account/security").await;
        assert!(security.contains(" МСК</td>"), "{security}");

        let res = b
            .post("/account/time-zone", &[("zone", "Asia/Krasnoyarsk")])
            .await;
        assert_eq!(res.status(), 403, "no CSRF token, no change");
        let res = b
            .submit(&account, "/account/time-zone", &[("zone", "Mars/Olympus")])
            .await;
        assert_eq!(res.status(), 400);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Такого часового пояса нет")
        );
        let res = b
            .submit(
                &account,
                "/account/time-zone",
                &[("zone", "Asia/Krasnoyarsk")],
            )
            .await;
        assert_eq!(res.status(), 303, "{}", backend.name());
        let account = page(&b, "/account").await;
        assert!(
            account.contains("<option value=\"Asia/Krasnoyarsk\" selected>МСК+4 (UTC+7)</option>")
        );
        let security = page(&b, "/account/security").await;
        assert!(security.contains(" МСК+4</td>"), "{security}");
        assert!(!security.contains(" МСК</td>"));
        let english = page(&b, "/account/security?lang=en").await;
        assert!(english.contains(" MSK+4</td>"));
    }
}
