//! OWASP ASVS V2 (authentication): password brute force, lockout bypass through another address or
//! another identifier, user enumeration at login, registration and recovery, SMS pumping.

use crate::common::login::*;
use crate::common::*;
use serde_json::Value;

async fn outbox_len(t: &TestServer, to: &str) -> usize {
    let url = format!("{}/dev/outbox?format=json&to={}", t.base, urlencode(to));
    let list: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    list.as_array().unwrap().len()
}

/// The page without per-request values (CSRF token, transaction ids) and without `login`.
fn comparable(html: &str, login: &str) -> String {
    html.replace(login, "LOGIN")
        .lines()
        .filter(|l| !l.contains("csrf") && !l.contains("name=\"tx\"") && !l.contains("pow_"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn asvs_v2_2_1_password_brute_force_locks_the_login_even_with_the_right_password() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230001").await;
        let attacker = Browser::new(&t.base);
        fail_passwords(&attacker, "+79001230001", 10).await;
        let (status, _) = password_login(&attacker, "+79001230001", PASSWORD).await;
        assert_eq!(status, 403, "{}", backend.name());
        assert!(attacker.get("/account").await.status().is_redirection());
    }
}

#[tokio::test]
async fn asvs_v2_2_1_lockout_is_not_bypassed_from_another_address() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230002").await;
        fail_passwords(&Browser::new(&t.base), "+79001230002", 10).await;
        let elsewhere = browser_from(&t, "127.0.0.23");
        let (status, _) = password_login(&elsewhere, "+79001230002", PASSWORD).await;
        assert_eq!(status, 403, "{}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v2_2_1_lockout_is_not_bypassed_through_the_other_identifier() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let id = t.add_person("+79001230003").await;
        t.app
            .store
            .replace_contact(&id, "email", "lock.other@example.org")
            .await
            .unwrap();
        fail_passwords(&Browser::new(&t.base), "+79001230003", 10).await;
        let other = browser_from(&t, "127.0.0.24");
        let (status, _) = password_login(&other, "lock.other@example.org", PASSWORD).await;
        assert_eq!(status, 403, "the lock is the account's: {}", backend.name());
    }
}

#[tokio::test]
async fn asvs_v2_2_2_login_does_not_tell_an_unknown_login_from_a_wrong_password() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("known@example.org").await;
        let (s1, h1) =
            password_login(&Browser::new(&t.base), "known@example.org", "Wrong-Pass-1!").await;
        let (s2, h2) = password_login(&Browser::new(&t.base), "nobody@example.org", PASSWORD).await;
        assert_eq!((s1, s2), (401, 401), "{}", backend.name());
        assert_eq!(
            comparable(&h1, "known@example.org"),
            comparable(&h2, "nobody@example.org")
        );
    }
}

/// Submits the registration form for `contact` in a fresh browser: (status, Location path).
async fn register(t: &TestServer, contact: &str) -> (u16, String) {
    let b = Browser::new(&t.base);
    let form = page_at(&b, "/register").await;
    let res = b
        .submit(
            &form,
            "/register",
            &[
                ("surname", "Петров"),
                ("name", "Пётр"),
                ("contact", contact),
            ],
        )
        .await;
    let path = location(&res)
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    (res.status().as_u16(), path)
}

#[tokio::test]
async fn asvs_v2_2_2_registration_does_not_tell_a_taken_contact() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230004").await;
        let taken = register(&t, "+79001230004").await;
        let free = register(&t, "+79001230005").await;
        assert_eq!(taken, free, "{}", backend.name());
        assert_eq!(free, (303, "/register/confirm".to_string()));
    }
}

/// Starts password recovery for `login`: (status, Location path).
async fn recover(t: &TestServer, login: &str) -> (u16, String) {
    let b = Browser::new(&t.base);
    let form = page_at(&b, "/recover").await;
    let res = b.submit(&form, "/recover", &[("login", login)]).await;
    let path = location(&res)
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    (res.status().as_u16(), path)
}

#[tokio::test]
async fn asvs_v2_5_6_recovery_does_not_tell_whether_a_login_exists() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230006").await;
        let known = recover(&t, "+79001230006").await;
        let unknown = recover(&t, "+79001230007").await;
        assert_eq!(known, unknown, "{}", backend.name());
        assert_eq!(
            outbox_len(&t, "+79001230007").await,
            0,
            "no SMS to a stranger"
        );
    }
}

#[tokio::test]
async fn asvs_v2_7_sms_pumping_a_repeated_registration_sends_one_code() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let first = register(&t, "+79001230008").await;
        let second = register(&t, "+79001230008").await;
        assert_eq!(first.0, 303);
        assert_eq!(second.0, 429, "{}", backend.name());
        assert_eq!(outbox_len(&t, "+79001230008").await, 1);
    }
}

#[tokio::test]
async fn asvs_v2_7_sms_pumping_repeated_recovery_sends_one_code() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230009").await;
        let first = recover(&t, "+79001230009").await;
        let second = recover(&t, "+79001230009").await;
        assert_eq!(first.0, 303);
        assert_eq!(second.0, 429, "{}", backend.name());
        assert_eq!(outbox_len(&t, "+79001230009").await, 1);
    }
}
