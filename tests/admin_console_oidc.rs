//! The admin console signs administrators in through vhod itself, and only with a second factor.

mod common;

use common::login::submit_password;
use common::*;
use vhod::authn::totp;

async fn page_of(landing: Landing) -> String {
    match landing {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    }
}

/// Signs in with the password and connects an authenticator app; returns its secret.
async fn enrol_app(t: &TestServer, login: &str) -> String {
    let b = Browser::new(&t.base);
    submit_password(&b, login, PASSWORD).await;
    let page = page_of(b.follow("/account/security").await).await;
    let res = b.submit(&page, "/account/security/totp/start", &[]).await;
    assert_eq!(res.status(), 303);
    let page = page_of(b.follow("/account/security?step=totp").await).await;
    let secret = page
        .split("id=\"totp-secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let code = totp::code_at(&secret, t.app.clock.now()).unwrap();
    let res = b
        .submit(&page, "/account/security/totp/confirm", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 303);
    secret
}

/// From the console's «Войти через vhod» to the password submitted; returns where that leads.
async fn password_for_console(browser: &Browser, login: &str) -> Landing {
    let page = page_of(browser.follow("/admin/console/signin").await).await;
    assert!(
        page.contains("Консоль администратора"),
        "the login page names the console"
    );
    browser
        .submit_follow(&page, "/login", &[("login", login), ("password", PASSWORD)])
        .await
}

#[tokio::test]
async fn an_administrator_with_an_app_signs_in_to_the_console_through_vhod() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let id = t.add_person("+79005550001").await;
        t.app.store.grant_role(&id, "security_admin").await.unwrap();
        let secret = enrol_app(&t, "+79005550001").await;
        t.app.clock.advance(30);

        let browser = Browser::new(&t.base);
        let login = page_of(browser.follow("/admin/console").await).await;
        assert!(login.contains("/admin/console/signin"));
        let second = page_of(password_for_console(&browser, "+79005550001").await).await;
        assert!(
            second.contains("Код из приложения-аутентификатора"),
            "{second}"
        );
        let code = totp::code_at(&secret, t.app.clock.now()).unwrap();
        let mut landing = browser
            .submit_follow(
                &second,
                "/login/second-factor",
                &[("method", "totp"), ("code", &code)],
            )
            .await;
        if let Landing::Page(200, html) = &landing
            && html.contains("name=\"decision\"")
        {
            landing = browser
                .submit_follow(html, "/consent", &[("decision", "allow")])
                .await;
        }
        let console = page_of(landing).await;
        assert!(
            console.contains("id=\"keys\"") && console.contains(&format!("admin:{id}")),
            "{}: {console}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn an_administrator_with_a_password_only_is_refused_by_the_console() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let id = t.add_person("+79005550002").await;
        t.app.store.grant_role(&id, "security_admin").await.unwrap();
        let browser = Browser::new(&t.base);
        let mut landing = password_for_console(&browser, "+79005550002").await;
        if let Landing::Page(200, html) = &landing
            && html.contains("name=\"decision\"")
        {
            landing = browser
                .submit_follow(html, "/consent", &[("decision", "allow")])
                .await;
        }
        match landing {
            Landing::Page(403, html) => {
                assert!(
                    html.contains("Для консоли нужен вход с подтверждением"),
                    "{html}"
                )
            }
            other => panic!("{}: {other:?}", backend.name()),
        }
        // And no console cookie was set: the console still asks to sign in.
        let page = page_of(browser.follow("/admin/console").await).await;
        assert!(page.contains("Токен доступа"));
    }
}
