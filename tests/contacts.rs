//! Changing a contact: the new one replaces the old only after its code; the old one is told.

mod common;

use common::login::fresh_login;
use common::*;

fn code_in(message: &serde_json::Value) -> String {
    message["body"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
        .find(|w| w.len() == 6)
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_new_phone_replaces_the_old_only_after_its_code() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79008880001").await;
        t.add_person("taken@example.org").await;
        let (_, b) = fresh_login(&t.base, "+79008880001", PASSWORD).await;
        let page = match b.follow("/account/contacts").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(page.contains("+7 (900) 888-00-01"), "{page}");
        // Someone else's contact, a malformed one: refused.
        let res = b
            .submit(
                &page,
                "/account/contacts",
                &[("contact", "taken@example.org")],
            )
            .await;
        assert_eq!(res.status(), 409);
        assert!(res.text().await.unwrap().contains("уже используется"));
        let res = b
            .submit(&page, "/account/contacts", &[("contact", "nonsense")])
            .await;
        assert_eq!(res.status(), 400);

        let waiting = match b
            .submit_follow(
                &page,
                "/account/contacts",
                &[("contact", "+7 900 888-00-02")],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(waiting.contains("Код отправлен на новый контакт"));
        // Until the code is entered the old phone is still the login, the new one is not.
        assert_eq!(fresh_login(&t.base, "+79008880001", PASSWORD).await.0, 303);
        assert_eq!(fresh_login(&t.base, "+79008880002", PASSWORD).await.0, 401);
        let code = code_in(&t.last_message("+79008880002").await);
        let res = b
            .submit(&waiting, "/account/contacts/confirm", &[("code", "000000")])
            .await;
        if code != "000000" {
            assert_eq!(res.status(), 400);
        }
        let res = b
            .submit(&waiting, "/account/contacts/confirm", &[("code", &code)])
            .await;
        assert_eq!(res.status(), 303, "{}", backend.name());
        assert_eq!(fresh_login(&t.base, "+79008880002", PASSWORD).await.0, 303);
        assert_eq!(fresh_login(&t.base, "+79008880001", PASSWORD).await.0, 401);
        let told = t.last_message("+79008880001").await;
        assert!(
            told["body"].as_str().unwrap().contains("контакт заменён"),
            "{told}"
        );
        // The code cannot be used twice.
        let res = b
            .submit(&waiting, "/account/contacts/confirm", &[("code", &code)])
            .await;
        assert_eq!(res.status(), 400);
    }
}

#[tokio::test]
async fn addresses_change_without_a_check_and_portals_see_them_at_the_next_userinfo() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("+79008880003").await;
        let b = Browser::new(&t.base);
        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("scope", "openid addresses"),
            ],
        )
        .replace("scope=openid+profile&", "");
        let back = b.authorize_and_login(&url, "+79008880003", PASSWORD).await;
        let code = query_param(&back, "code").unwrap();
        let (_, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        let access = tokens["access_token"].as_str().unwrap().to_string();
        let (_, info) = userinfo(&t, &access).await;
        assert_eq!(info["addresses"], serde_json::json!([]), "{info}");

        let page = match b.follow("/account/contacts").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let res = b
            .submit(
                &page,
                "/account/addresses",
                &[
                    ("registration", "г. Тверь, ул. Советская, д. 1"),
                    ("residence", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let (_, info) = userinfo(&t, &access).await;
        assert_eq!(
            info["addresses"][0]["type"],
            "PRG",
            "{}: {info}",
            backend.name()
        );
        assert_eq!(
            info["addresses"][0]["addressStr"],
            "г. Тверь, ул. Советская, д. 1"
        );
        assert_eq!(info["addresses"].as_array().unwrap().len(), 1);
        let long = "д".repeat(301);
        let res = b
            .submit(
                &page,
                "/account/addresses",
                &[("registration", &long), ("residence", "")],
            )
            .await;
        assert_eq!(res.status(), 400);
    }
}
