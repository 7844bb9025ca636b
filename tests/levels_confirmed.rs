//! The confirmed level: the code letter (once, expiry, a changed document drops the level back to
//! standard), a service-centre operator (API, console, CLI), a partner bank.

mod common;

use common::identity::*;
use common::login::new_browser_at_account;
use common::*;

#[tokio::test]
async fn a_code_letter_confirms_a_standard_account_once_and_is_flagged() {
    for backend in backends() {
        let mut config = test_config(&backend);
        let spool = std::env::temp_dir().join(format!("vhod-letters-{}", uuid::Uuid::now_v7()));
        config.identity.letter_dir = spool.display().to_string();
        let t = TestServer::start_with(&backend, config).await;
        let b = signed_in(&t, "+79001112239").await;
        // Only standard accounts may order.
        let page = match b.follow("/account/documents").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(!page.contains("/account/letter\""));
        let page = match b.follow("/account/standard").await {
            Landing::Page(200, html) => html, // any page with the CSRF field
            other => panic!("{other:?}"),
        };
        let res = b
            .submit(
                &page,
                "/account/letter",
                &[("address", "г. Тверь, ул. Советская, д. 1")],
            )
            .await;
        assert_eq!(res.status(), 409);
        submit_standard(&b, "123456", SNILS).await;
        let page = wait_for(&b, "Заказать письмо").await;
        let landing = b
            .submit_follow(
                &page,
                "/account/letter",
                &[("address", "г. Тверь, ул. Советская, д. 1")],
            )
            .await;
        let page = match landing {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(
            page.contains("Письмо с кодом подтверждения заказано"),
            "{page}"
        );
        // The letter is in the print queue with the address; the code is not in the database.
        let files: Vec<_> = std::fs::read_dir(&spool).unwrap().collect();
        assert_eq!(files.len(), 1);
        let letter: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap(),
        )
        .unwrap();
        assert_eq!(letter["address"], "г. Тверь, ул. Советская, д. 1");
        let code = letter["code"].as_str().unwrap().to_string();
        let stored = t
            .app
            .store
            .letters_of(
                &t.app
                    .store
                    .snils_holder("11223344595")
                    .await
                    .unwrap()
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_ne!(stored[0].code_hash, code, "only the hash is stored");
        // A second order within 30 days is refused.
        let res = b
            .submit(&page, "/account/letter", &[("address", "другой адрес")])
            .await;
        assert_eq!(res.status(), 409);
        assert!(res.text().await.unwrap().contains("через 30 дней"));
        // A wrong code, then the right one (typed in lower case with a dash).
        let res = b
            .submit(&page, "/account/letter/code", &[("code", "AAAAAAAAAA")])
            .await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("Неверный код"));
        let typed = format!("{}-{}", &code[..5], &code[5..]).to_lowercase();
        let page = match b
            .submit_follow(&page, "/account/letter/code", &[("code", &typed)])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(page.contains("Подтверждённая"), "{page}");
        assert!(
            page.contains("код подтверждения по почте"),
            "method recorded: {page}"
        );
        // Reuse is refused.
        let page = match b.follow("/account/standard").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let res = b
            .submit(&page, "/account/letter/code", &[("code", &code)])
            .await;
        assert_eq!(res.status(), 400);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Письмо с кодом не заказано")
        );
    }
}

#[tokio::test]
async fn an_expired_letter_code_is_refused() {
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    let spool = std::env::temp_dir().join(format!("vhod-letters-{}", uuid::Uuid::now_v7()));
    config.identity.letter_dir = spool.display().to_string();
    let t = TestServer::start_with(&backend, config).await;
    let b = signed_in(&t, "+79001112240").await;
    submit_standard(&b, "123456", SNILS).await;
    let page = wait_for(&b, "Заказать письмо").await;
    b.submit(&page, "/account/letter", &[("address", "г. Тверь")])
        .await;
    let entry = std::fs::read_dir(&spool).unwrap().next().unwrap().unwrap();
    let letter: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
    t.app.clock.advance(14 * 86_400 + 1);
    let b = new_browser_at_account(&t.base, "+79001112240").await; // the old session expired meanwhile
    let page = wait_for(&b, "Документы").await;
    let res = b
        .submit(
            &page,
            "/account/letter/code",
            &[("code", letter["code"].as_str().unwrap())],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Срок действия кода истёк")
    );
}

#[tokio::test]
async fn changing_a_verified_document_of_a_confirmed_person_returns_the_account_to_standard() {
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    let spool = std::env::temp_dir().join(format!("vhod-letters-{}", uuid::Uuid::now_v7()));
    config.identity.letter_dir = spool.display().to_string();
    let t = TestServer::start_with(&backend, config).await;
    let b = signed_in(&t, "+79001112241").await;
    submit_standard(&b, "123456", SNILS).await;
    let page = wait_for(&b, "Заказать письмо").await;
    b.submit(&page, "/account/letter", &[("address", "г. Тверь")])
        .await;
    let entry = std::fs::read_dir(&spool).unwrap().next().unwrap().unwrap();
    let letter: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
    let page = wait_for(&b, "Ввести код из письма").await;
    b.submit(
        &page,
        "/account/letter/code",
        &[("code", letter["code"].as_str().unwrap())],
    )
    .await;
    wait_for(&b, "Подтверждённая").await;
    // Re-submitting the same verified data changes nothing.
    let (status, html) = submit_standard(&b, "123456", SNILS).await;
    assert_eq!(status, 409);
    assert!(html.contains("Эти данные уже проверены"), "{html}");
    // A new passport that the registry never confirms: the level drops to standard at once,
    // and the verified passport stays the verified one.
    submit_standard(&b, "654399", SNILS).await;
    let html = wait_for(&b, "изменён подтверждённый документ").await;
    assert!(html.contains("<b>Стандартная</b>"), "{html}");
    assert!(
        html.contains("2815 123456"),
        "verified passport still shown: {html}"
    );
    assert!(html.contains("2815 654399"), "new passport pending: {html}");
    let msg = t.last_message("+79001112241").await;
    assert!(
        msg["body"]
            .as_str()
            .unwrap()
            .contains("Вы изменили подтверждённый документ")
    );
}

#[tokio::test]
async fn a_service_centre_operator_confirms_a_verified_person_through_the_api() {
    use vhod::admin::Role;
    use vhod::admin::auth::issue_bootstrap_token;
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let b = signed_in(&t, "+79001112243").await;
        let (token, _) = issue_bootstrap_token(&t.app, &[Role::Operator], "centre-7", 600)
            .await
            .unwrap();
        let confirm = |snils: &'static str, series: &'static str, number: &'static str| {
            let (base, token) = (t.base.clone(), token.clone());
            async move {
                let res = no_redirect_client()
                    .post(format!("{base}/admin/api/operator/confirm"))
                    .bearer_auth(token)
                    .json(&serde_json::json!({
                        "snils": snils, "passport_series": series, "passport_number": number,
                    }))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                (status, res.json::<serde_json::Value>().await.unwrap())
            }
        };
        // Not verified yet: nobody holds this SNILS.
        let (status, body) = confirm(SNILS, "2815", "123456").await;
        assert_eq!(status, 404, "{body}");
        submit_standard(&b, "123456", SNILS).await;
        wait_for(&b, "проверено").await;
        let (status, body) = confirm(SNILS, "2815", "999999").await;
        assert_eq!(status, 409, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("does not match"));
        let (status, body) = confirm("112-233-445 96", "2815", "123456").await;
        assert_eq!(status, 400, "{body}");
        let (status, body) = confirm(SNILS, "2815", "123456").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["level"], "confirmed");
        let html = wait_for(&b, "в центре обслуживания").await;
        assert!(html.contains("<b>Подтверждённая</b>"), "{html}");
        let audit = t.app.store.audit_since(0).await.unwrap();
        let last = audit
            .iter()
            .rev()
            .find(|a| a.action == "account.level")
            .unwrap();
        assert_eq!(last.actor, "bootstrap:centre-7", "the operator is named");
        assert!(last.details.contains("service_centre"));
        // Twice is refused: the person is confirmed already.
        let (status, _) = confirm(SNILS, "2815", "123456").await;
        assert_eq!(status, 409);
    }
}

#[tokio::test]
async fn the_operator_console_and_the_cli_confirm_in_person() {
    use vhod::admin::Role;
    use vhod::admin::auth::issue_bootstrap_token;
    let t = TestServer::start(&Backend::Sqlite).await;
    // Console: sign in with an operator bootstrap token, use the form.
    let b1 = signed_in(&t, "+79001112244").await;
    submit_standard(&b1, "123456", SNILS).await;
    wait_for(&b1, "проверено").await;
    let (token, _) = issue_bootstrap_token(&t.app, &[Role::Operator], "centre-1", 600)
        .await
        .unwrap();
    let console = Browser::new(&t.base);
    let page = match console.follow("/admin/console").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let page = match console
        .submit_follow(&page, "/admin/console/login", &[("token", &token)])
        .await
    {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    assert!(
        page.contains("Подтверждение личности в центре обслуживания"),
        "{page}"
    );
    let html = match console
        .submit_follow(
            &page,
            "/admin/console/action",
            &[
                ("action", "confirm"),
                ("snils", SNILS),
                ("series", "2815"),
                ("number", "123456"),
            ],
        )
        .await
    {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    assert!(html.contains("account.level confirmed"), "{html}");
    wait_for(&b1, "<b>Подтверждённая</b>").await;

    // CLI, on the same database: an operator account is required.
    let b2 = signed_in(&t, "+79001112245").await;
    submit_standard(&b2, "123457", "010-242-368 77").await;
    wait_for(&b2, "проверено").await;
    let run = |operator: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vhod"))
            .env_remove("VHOD_CONFIG")
            .env("VHOD_DATABASE__URL", &t.config.database.url)
            .env("VHOD_KEYS__KEK_FILE", &t.config.keys.kek_file)
            .env("VHOD_LOG", "warn")
            .args([
                "operator",
                "confirm",
                "--snils",
                "01024236877",
                "--series",
                "2815",
                "--number",
                "123457",
                "--operator",
                operator,
            ])
            .output()
            .unwrap()
    };
    let stranger = t.add_person("+79001112246").await;
    let out = run(&stranger);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not hold the operator role"));
    t.app.store.grant_role(&stranger, "operator").await.unwrap();
    let out = run(&stranger);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_for(&b2, "<b>Подтверждённая</b>").await;
    let audit = t.app.store.audit_since(0).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "account.level" && a.actor == format!("admin:{stranger}"))
    );
}

/// Submits the standard-level form with a birth date of choice.
async fn submit_standard_born(b: &Browser, birth_date: &str) {
    let page = match b.follow("/account/standard").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let form = [
        ("surname", "Иванов"),
        ("given_name", "Иван"),
        ("birth_date", birth_date),
        ("birthplace", "г. Тверь"),
        ("gender", "M"),
        ("snils", SNILS),
        ("doc_type", "passport_rf"),
        ("series", "2815"),
        ("number", "123456"),
        ("issued", "2015-06-01"),
        ("issuer_code", "690-001"),
    ];
    b.submit_follow(&page, "/account/standard", &form).await;
}

#[tokio::test]
async fn a_partner_bank_confirms_the_account_when_its_verified_data_matches() {
    use vhod::clients::{self, NewClient};
    for backend in backends() {
        // The bank: another vhod, where the person is verified too.
        let bank = TestServer::start(&backend).await;
        let (client, secret) = clients::register(
            &bank.app.store,
            NewClient {
                name: "vhod".into(),
                redirect_uris: vec!["https://placeholder.example/cb".into()],
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let mut cfg = test_config(&backend);
        cfg.bank.issuer = bank.issuer();
        cfg.bank.name = "Банк Тверской".into();
        cfg.bank.client_id = client.id.to_string();
        cfg.bank.client_secret = secret.unwrap();
        let t = TestServer::start_with(&backend, cfg).await;
        vhod::clients::set_redirect_uris(
            &bank.app,
            &vhod::clients::ClientCache::default(),
            &client.id,
            &[format!("{}/account/bank/callback", t.issuer())],
        )
        .await
        .unwrap();

        for (phone, bank_birth, confirmed) in [
            ("+79001112250", "1985-01-01", false),
            ("+79001112251", "1990-05-17", true),
        ] {
            let at_bank = signed_in(&bank, phone).await;
            submit_standard_born(&at_bank, bank_birth).await;
            wait_for(&at_bank, "проверено").await;
            let b = signed_in(&t, phone).await;
            submit_standard_born(&b, "1990-05-17").await;
            let page = wait_for(&b, "Подтвердить через Банк Тверской").await;
            let res = b.submit(&page, "/account/bank/start", &[]).await;
            assert_eq!(res.status(), 303);
            let to_bank = location(&res).unwrap();
            assert!(to_bank.starts_with(&bank.base), "{to_bank}");
            assert!(to_bank.contains("code_challenge=") && to_bank.contains("nonce="));
            // The bank is another site: the browser's cookies there are its own (both test
            // servers are on localhost, where real browsers would not tell them apart by port).
            let at_bank_browser = Browser::new(&bank.base);
            let login = match at_bank_browser.follow(&to_bank).await {
                Landing::Page(200, html) => html,
                other => panic!("{other:?}"),
            };
            let consent = match at_bank_browser
                .submit_follow(
                    &login,
                    "/login",
                    &[("login", phone), ("password", PASSWORD)],
                )
                .await
            {
                Landing::Page(200, html) => html,
                other => panic!("{other:?}"),
            };
            let back = match at_bank_browser
                .submit_follow(&consent, "/consent", &[("decision", "allow")])
                .await
            {
                Landing::Left(url) => url,
                other => panic!("{other:?}"),
            };
            assert!(back.starts_with(&t.base), "{back}");
            match b.follow(&back).await {
                Landing::Page(200, html) if confirmed => {
                    assert!(html.contains("подтверждена через банк"), "{html}");
                    assert!(html.contains("<b>Подтверждённая</b>"), "{html}");
                    assert!(html.contains("через банк"));
                }
                Landing::Page(409, html) if !confirmed => {
                    assert!(html.contains("birth date"), "{html}");
                    match b.follow("/account/documents").await {
                        Landing::Page(200, docs) => assert!(docs.contains("<b>Стандартная</b>")),
                        other => panic!("{other:?}"),
                    }
                }
                other => panic!("{}: {other:?}", backend.name()),
            }
            // Free the SNILS for the next round (one SNILS per account on each side).
            if !confirmed {
                t.app
                    .store
                    .delete_account(
                        &t.app
                            .store
                            .snils_holder("11223344595")
                            .await
                            .unwrap()
                            .unwrap(),
                    )
                    .await
                    .unwrap();
                bank.app
                    .store
                    .delete_account(
                        &bank
                            .app
                            .store
                            .snils_holder("11223344595")
                            .await
                            .unwrap()
                            .unwrap(),
                    )
                    .await
                    .unwrap();
            }
        }
    }
}
