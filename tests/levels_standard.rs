//! The standard level: the form, the registry check by the simulator (verified, refused, no answer
//! in five days), SNILS as a login and for recovery, the level and verified claims portals receive.
//! (The HTTP registry gateway: levels_registry_gateway.rs; confirmation: levels_confirmed.rs.)

mod common;

use common::identity::*;
use common::login::new_browser_at_account;
use common::*;

#[tokio::test]
async fn verified_documents_raise_the_account_to_standard_and_make_snils_a_login() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let b = signed_in(&t, "+79001112233").await;
        // Before verification SNILS is not a login.
        let anon = Browser::new(&t.base);
        let page = match anon.follow("/login").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let res = anon
            .submit(&page, "/login", &[("login", SNILS), ("password", PASSWORD)])
            .await;
        assert_eq!(res.status(), 401, "unverified SNILS must not log in");

        let (status, html) = submit_standard(&b, "123456", SNILS).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Данные отправлены на проверку"), "{html}");
        let html = wait_for(&b, "проверено").await;
        assert!(html.contains("Стандартная"), "{html}");
        assert!(html.contains("112-233-445 95"));
        assert!(
            !html.contains("href=\"/account/standard\""),
            "«Ввести СНИЛС и паспорт» hidden once verified"
        );
        assert!(
            html.contains("проверка в ведомствах"),
            "history shows the method"
        );
        let msg = t.last_message("+79001112233").await;
        assert!(
            msg["body"].as_str().unwrap().contains("«Стандартная»"),
            "{msg}"
        );
        // The level change is in the audit log without personal data.
        let audit = t.app.store.audit_since(0).await.unwrap();
        let entry = audit
            .iter()
            .find(|a| a.action == "account.level")
            .expect("audited");
        assert!(entry.details.contains("standard") && !entry.details.contains("11223344595"));

        // Now SNILS logs in, written any usual way.
        new_browser_at_account(&t.base, "11223344595").await;
        new_browser_at_account(&t.base, SNILS).await;
    }
}

#[tokio::test]
async fn registry_refusals_are_shown_with_their_reason_and_notified() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let b = signed_in(&t, "refuse@example.org").await;
        submit_standard(&b, "123400", SNILS).await;
        let html = wait_for(&b, "не подтверждено").await;
        assert!(
            html.contains("Сведения о паспорте отсутствуют в базе данных МВД"),
            "{html}"
        );
        assert!(html.contains("Упрощённая"), "level unchanged: {html}");
        // «Ввести СНИЛС и паспорт» again: the form starts from what was sent.
        assert!(html.contains("href=\"/account/standard\""), "{html}");
        let form = match b.follow("/account/standard").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let digits: String = SNILS.chars().filter(char::is_ascii_digit).collect();
        for value in [
            "123400",
            "2815",
            "1990-05-17",
            "г. Тверь",
            "690-001",
            &digits,
        ] {
            assert!(
                form.contains(&format!("value=\"{value}\"")),
                "{value} pre-filled: {form}"
            );
        }
        assert!(form.contains("value=\"M\" checked"), "{form}");
        let msg = t.last_message("refuse@example.org").await;
        assert!(
            msg["body"]
                .as_str()
                .unwrap()
                .contains("Повторите попытку через 14 дней"),
            "{msg}"
        );
        // A new request with another passport: «Паспорт недействителен».
        submit_standard(&b, "123401", SNILS).await;
        let html = wait_for(&b, "Паспорт недействителен").await;
        assert!(html.contains("Упрощённая"));
    }
}

#[tokio::test]
async fn bad_form_input_is_refused_with_the_field_named_and_nothing_stored() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let b = signed_in(&t, "+79001112234").await;
    let (status, html) = submit_standard(&b, "123456", "112-233-445 96").await;
    assert_eq!(status, 400);
    assert!(html.contains("СНИЛС указан неверно"), "{html}");
    let (status, html) = submit_standard(&b, "12345", SNILS).await;
    assert_eq!(status, 400);
    assert!(html.contains("Данные документа указаны неверно"), "{html}");
    let account = t.app.store.count_accounts().await.unwrap();
    assert_eq!(account, 1);
    let docs = b.follow("/account/documents").await;
    match docs {
        Landing::Page(200, html) => assert!(html.contains("Документы не добавлены")),
        other => panic!("{other:?}"),
    }
    // A second request while one is running is refused.
    let t2 = TestServer::start(&Backend::Sqlite).await;
    let b2 = signed_in(&t2, "+79001112235").await;
    submit_standard(&b2, "123499", SNILS).await; // the registry never answers
    let (status, html) = submit_standard(&b2, "123456", SNILS).await;
    assert_eq!(status, 409);
    assert!(html.contains("Проверка данных уже идёт"), "{html}");
}

#[tokio::test]
async fn a_check_without_an_answer_fails_after_five_days() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let b = signed_in(&t, "+79001112236").await;
    submit_standard(&b, "123499", SNILS).await;
    let html = wait_for(&b, "Идёт проверка данных").await;
    assert!(html.contains("проверка"));
    t.app.clock.advance(5 * 86_400 + 60);
    let b = new_browser_at_account(&t.base, "+79001112236").await; // the old session expired meanwhile
    let html = wait_for(&b, "проверка не завершена").await;
    assert!(html.contains("Ведомство не ответило"), "{html}");
    assert!(html.contains("Упрощённая"));
}

#[tokio::test]
async fn recovery_by_snils_or_passport_sends_the_code_to_the_confirmed_phone() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let b = signed_in(&t, "+79001112247").await;
        submit_standard(&b, "123456", SNILS).await;
        wait_for(&b, "проверено").await;
        for fields in [
            vec![("login", SNILS)],
            vec![("login", ""), ("series", "2815"), ("number", "123456")],
        ] {
            let r = Browser::new(&t.base);
            let page = match r.follow("/recover").await {
                Landing::Page(200, html) => html,
                other => panic!("{other:?}"),
            };
            let page = match r.submit_follow(&page, "/recover", &fields).await {
                Landing::Page(200, html) => html,
                other => panic!("{other:?}"),
            };
            let body = t.last_message("+79001112247").await["body"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(body.contains("Код для восстановления доступа"), "{body}");
            let code: String = body
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
                .find(|w| w.len() == 6)
                .unwrap()
                .to_string();
            match r
                .submit_follow(&page, "/recover/code", &[("code", &code)])
                .await
            {
                Landing::Page(200, html) => assert!(html.contains("name=\"password2\"")),
                other => panic!("{other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn portals_receive_the_level_esia_scopes_and_verified_claims_only_from_verified_data() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        let b = signed_in(&t, "+79001112242").await;
        let (verifier, challenge) = pkce_pair();
        let claims_param = serde_json::json!({
            "userinfo": { "verified_claims": null },
            "id_token": { "verified_claims": null, "snils": null },
        })
        .to_string();
        let url = {
            let mut u = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
            u.query_pairs_mut()
                .append_pair("response_type", "code")
                .append_pair("client_id", &client_id)
                .append_pair("redirect_uri", REDIRECT)
                .append_pair(
                    "scope",
                    "openid fullname snils id_doc birthplace birthdate gender contacts",
                )
                .append_pair("state", "s")
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256")
                .append_pair("claims", &claims_param);
            u.to_string()
        };
        // Before any verification: the level only, no document data.
        let back = b.authorize_and_login(&url, "+79001112242", PASSWORD).await;
        let code = query_param(&back, "code").expect("code");
        let (status, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let id = id_token_claims(&tokens);
        assert_eq!(id["account_level"], "simplified");
        assert_eq!(id["account_level_method"], "registration");
        assert!(id.get("verified_claims").is_none() && id.get("snils").is_none());

        submit_standard(&b, "123456", SNILS).await;
        wait_for(&b, "проверено").await;
        // A pending change is never released: submit another passport the registry never answers.
        let (verifier, challenge) = pkce_pair();
        let url = url.split("&code_challenge=").next().unwrap().to_string()
            + &format!(
                "&code_challenge={challenge}&code_challenge_method=S256&claims={}",
                urlencode(&claims_param)
            );
        submit_standard(&b, "777799", SNILS).await;
        let back = b.authorize_and_login(&url, "+79001112242", PASSWORD).await;
        let code = query_param(&back, "code").expect("code");
        let (status, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let id = id_token_claims(&tokens);
        assert_eq!(id["account_level"], "standard");
        assert_eq!(id["account_level_method"], "registry");
        assert_eq!(id["snils"], "112-233-445 95");
        assert_eq!(
            id["verified_claims"]["verification"]["trust_framework"],
            "ru_vhod"
        );
        let (status, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(status, 200, "{info}");
        assert_eq!(info["snils"], "112-233-445 95");
        assert_eq!(info["id_doc"]["type"], "RF_PASSPORT");
        assert_eq!(
            info["id_doc"]["number"], "123456",
            "the verified passport, not the pending one"
        );
        assert_eq!(info["birthplace"], "г. Тверь");
        assert_eq!(info["birthdate"], "1990-05-17");
        assert_eq!(info["gender"], "male");
        assert_eq!(info["contacts"][0]["type"], "MBT");
        assert_eq!(info["contacts"][0]["value"], "+79001112242");
        let vc = &info["verified_claims"];
        assert_eq!(vc["verification"]["assurance_level"], "standard");
        assert_eq!(vc["claims"]["family_name"], "Иванов");
        assert_eq!(vc["claims"]["place_of_birth"]["locality"], "г. Тверь");
        assert_eq!(
            vc["verification"]["evidence"][0]["document_details"]["document_number"],
            "2815 123456"
        );
    }
}
