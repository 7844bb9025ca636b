//! Account levels end to end: the standard-level request and its durable registry check (simulator
//! and HTTP gateway), restart and two-node behaviour, SNILS login, the code letter.

mod common;

use axum::Json;
use axum::http::StatusCode;
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const SNILS: &str = "112-233-445 95";

async fn signed_in(t: &TestServer, contact: &str) -> Browser {
    t.add_person(contact).await;
    browser_login(&t.base, contact).await
}

async fn browser_login(base: &str, login: &str) -> Browser {
    let b = Browser::new(base);
    let page = match b.follow("/login").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    match b
        .submit_follow(&page, "/login", &[("login", login), ("password", PASSWORD)])
        .await
    {
        Landing::Page(200, html) => assert!(html.contains("Мои данные"), "{html}"),
        other => panic!("login failed: {other:?}"),
    }
    b
}

async fn submit_standard(b: &Browser, number: &str, snils: &str) -> (u16, String) {
    let page = match b.follow("/account/standard").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let form = [
        ("surname", "Иванов"),
        ("given_name", "Иван"),
        ("birth_date", "1990-05-17"),
        ("birthplace", "г. Тверь"),
        ("gender", "M"),
        ("snils", snils),
        ("doc_type", "passport_rf"),
        ("series", "2815"),
        ("number", number),
        ("issued", "2015-06-01"),
        ("issuer_code", "690-001"),
    ];
    match b.submit_follow(&page, "/account/standard", &form).await {
        Landing::Page(status, html) => (status, html),
        other => panic!("{other:?}"),
    }
}

/// Polls the documents page until it contains `text` (the worker runs every second).
async fn wait_for(b: &Browser, text: &str) -> String {
    let mut last = String::new();
    for _ in 0..40 {
        if let Landing::Page(200, html) = b.follow("/account/documents").await {
            if html.contains(text) {
                return html;
            }
            last = html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("documents page never showed {text:?}: {last}");
}

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
        browser_login(&t.base, "11223344595").await;
        browser_login(&t.base, SNILS).await;
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
    let b = browser_login(&t.base, "+79001112236").await; // the old session expired meanwhile
    let html = wait_for(&b, "проверка не завершена").await;
    assert!(html.contains("Ведомство не ответило"), "{html}");
    assert!(html.contains("Упрощённая"));
}

/// A registry gateway on a local port: answers by the scripted list (last answer repeats) and
/// counts the calls it got.
struct Gateway {
    url: String,
    calls: Arc<AtomicUsize>,
    script: Arc<std::sync::Mutex<Vec<(u16, serde_json::Value)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn gateway(script: Vec<(u16, serde_json::Value)>) -> Gateway {
    let calls = Arc::new(AtomicUsize::new(0));
    let script = Arc::new(std::sync::Mutex::new(script));
    let (c, s) = (calls.clone(), script.clone());
    let app = axum::Router::new().route(
        "/check",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, Json(body): Json<serde_json::Value>| {
                let (c, s) = (c.clone(), s.clone());
                async move {
                    assert_eq!(
                        headers.get("authorization").unwrap(),
                        "Bearer gw-secret",
                        "the configured Authorization header is sent"
                    );
                    assert_eq!(body["snils"].as_str().unwrap().len(), 11);
                    assert_eq!(body["document"]["series"], "2815");
                    let n = c.fetch_add(1, Ordering::SeqCst);
                    let list = s.lock().unwrap();
                    let (status, answer) = list[n.min(list.len() - 1)].clone();
                    (StatusCode::from_u16(status).unwrap(), Json(answer))
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/check", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Gateway {
        url,
        calls,
        script,
        task,
    }
}

fn http_config(backend: &Backend, gw: &Gateway) -> vhod::config::Config {
    let mut c = test_config(backend);
    c.identity.verifier = "http".into();
    c.identity.registry_url = gw.url.clone();
    c.identity.registry_auth = "Bearer gw-secret".into();
    c.identity.registry_timeout_secs = 2;
    c.identity.registry_max_attempts = 3;
    c.identity.poll_secs = 1;
    c
}

#[tokio::test]
async fn the_http_gateway_is_retried_with_backoff_then_its_answer_is_used() {
    for backend in backends() {
        let gw = gateway(vec![
            (503, serde_json::json!({})),
            (200, serde_json::json!({ "result": "verified" })),
        ])
        .await;
        let t = TestServer::start_with(&backend, http_config(&backend, &gw)).await;
        let b = signed_in(&t, "+79001112237").await;
        submit_standard(&b, "123456", SNILS).await;
        // The first call fails; the retry waits for the backoff (the clock is moved past it).
        for _ in 0..40 {
            if gw.calls.load(Ordering::SeqCst) >= 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        t.app.clock.advance(60);
        let html = wait_for(&b, "проверено").await;
        assert!(html.contains("Стандартная"));
        assert_eq!(gw.calls.load(Ordering::SeqCst), 2);
    }
}

#[tokio::test]
async fn a_gateway_failing_every_try_marks_the_check_failed() {
    let backend = Backend::Sqlite;
    let gw = gateway(vec![(500, serde_json::json!({}))]).await;
    let t = TestServer::start_with(&backend, http_config(&backend, &gw)).await;
    let b = signed_in(&t, "fail@example.org").await;
    submit_standard(&b, "123456", SNILS).await;
    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        t.app.clock.advance(120);
    }
    let html = wait_for(&b, "проверка не завершена").await;
    assert!(html.contains("Упрощённая"));
    assert_eq!(
        gw.calls.load(Ordering::SeqCst),
        3,
        "registry_max_attempts tries"
    );
    let msg = t.last_message("fail@example.org").await;
    assert!(
        msg["body"]
            .as_str()
            .unwrap()
            .contains("Проверка данных не завершена")
    );
}

#[tokio::test]
async fn a_check_pending_at_restart_completes_after_the_restart() {
    for backend in backends() {
        let gw = gateway(vec![(202, serde_json::json!({}))]).await;
        let config = http_config(&backend, &gw);
        let t = TestServer::start_with(&backend, config.clone()).await;
        let b = signed_in(&t, "+79001112238").await;
        submit_standard(&b, "123456", SNILS).await;
        for _ in 0..40 {
            if gw.calls.load(Ordering::SeqCst) >= 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            gw.calls.load(Ordering::SeqCst) >= 1,
            "the check was asked once"
        );
        drop(t); // the node stops with the check still pending
        *gw.script.lock().unwrap() = vec![(200, serde_json::json!({ "result": "verified" }))];
        gw.calls.store(0, Ordering::SeqCst);
        let mut config2 = config.clone();
        config2.server.issuer = vhod::config::Config::defaults().server.issuer;
        let t2 = TestServer::start_with(&backend, config2).await;
        let b2 = browser_login(&t2.base, "+79001112238").await;
        let html = wait_for(&b2, "проверено").await;
        assert!(html.contains("Стандартная"), "{}: {html}", backend.name());
    }
}

#[tokio::test]
async fn two_nodes_run_a_registry_check_exactly_once() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let gw = gateway(vec![(200, serde_json::json!({ "result": "verified" }))]).await;
    let node1 = TestServer::start_with(&backend, http_config(&backend, &gw)).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer();
    let node2 = TestServer::start_with(&backend, cfg2).await;
    let mut browsers = vec![];
    for i in 0..6 {
        let contact = format!("+7900111300{i}");
        let node = if i % 2 == 0 { &node1 } else { &node2 };
        browsers.push(signed_in(node, &contact).await);
    }
    for (i, b) in browsers.iter().enumerate() {
        submit_standard(
            b,
            &format!("12345{i}"),
            &snils_with_checksum(&format!("14725836{i}")),
        )
        .await;
    }
    for b in &browsers {
        let mut done = false;
        for _ in 0..60 {
            if let Landing::Page(200, html) = b.follow("/account/documents").await
                && html.contains("проверено")
            {
                done = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        assert!(done, "every check ends verified");
    }
    assert_eq!(
        gw.calls.load(Ordering::SeqCst),
        6,
        "one registry call per check"
    );
    let audit = node1.app.store.audit_since(0).await.unwrap();
    let raised = audit.iter().filter(|a| a.action == "account.level").count();
    assert_eq!(raised, 6, "six people reached standard, once each");
}

/// A valid SNILS from its first nine digits (REQUIREMENTS §8).
fn snils_with_checksum(nine: &str) -> String {
    let sum: u32 = nine
        .chars()
        .zip((1..=9).rev())
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = match sum {
        s if s < 100 => s,
        100 | 101 => 0,
        s => (s % 101) % 100,
    };
    format!("{nine}{check:02}")
}

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
    let b = browser_login(&t.base, "+79001112240").await; // the old session expired meanwhile
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

#[tokio::test]
async fn records_are_checked_and_only_verified_ones_reach_portals() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        let b = signed_in(&t, "+79001112260").await;
        let records = match b.follow("/account/records").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let vehicle = [
            ("kind", "vehicle"),
            ("name", "Лада Веста"),
            ("plate", "a 123 bc 69"),
            ("reg_cert", "9911223344"),
        ];
        let res = b.submit(&records, "/account/records", &vehicle).await;
        assert_eq!(res.status(), 409, "a simplified account cannot add records");
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("стандартную учётную запись")
        );
        submit_standard(&b, "123456", SNILS).await;
        wait_for(&b, "проверено").await;
        let bad = [
            ("kind", "vehicle"),
            ("name", "Лада"),
            ("plate", "Ж1"),
            ("reg_cert", "1"),
        ];
        let res = b.submit(&records, "/account/records", &bad).await;
        assert_eq!(res.status(), 400);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Государственный номер указан неверно")
        );
        let res = b
            .submit(
                &records,
                "/account/records",
                &[("kind", "inn"), ("number", "585204118213")],
            )
            .await;
        assert_eq!(res.status(), 400, "a wrong INN check digit is refused");
        for form in [
            vec![("kind", "inn"), ("number", "585204118212")],
            vehicle.to_vec(),
            vec![
                ("kind", "child"),
                ("surname", "Иванова"),
                ("given_name", "Мария"),
                ("birth_date", "2015-03-08"),
                ("birth_cert", "IV-ОН 123400"),
            ],
        ] {
            let res = b.submit(&records, "/account/records", &form).await;
            assert_eq!(res.status(), 303);
            // One check at a time: wait for this one to end.
            for _ in 0..40 {
                if let Landing::Page(200, html) = b.follow("/account/documents").await
                    && !html.contains("Идёт проверка данных")
                {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        }
        let html = wait_for(&b, "Сведения не найдены в ведомстве").await;
        assert!(
            html.contains("Лада Веста, А123ВС69 — <b>проверено</b>"),
            "{html}"
        );
        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("scope", "openid vehicles kid_fullname inn"),
            ],
        )
        .replace("scope=openid+profile&", "");
        let back = b.authorize_and_login(&url, "+79001112260", PASSWORD).await;
        let code = query_param(&back, "code").unwrap();
        let (_, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(info["vehicles"][0]["numberPlate"], "А123ВС69", "{info}");
        assert_eq!(info["inn"], "585204118212");
        assert_eq!(info["vehicles"][0]["vrfStu"], "VERIFIED");

        // A vehicle still under check reaches only a portal that asks for unverified data.
        let res = b
            .submit(
                &records,
                "/account/records",
                &[
                    ("kind", "vehicle"),
                    ("name", "УАЗ"),
                    ("plate", "В777ОР69"),
                    ("reg_cert", "9911223399"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        for unverified in [false, true] {
            let (verifier, challenge) = pkce_pair();
            let claims =
                serde_json::json!({ "userinfo": { "vehicles": { "unverified": unverified } } });
            let url = authorize_url(
                &t.base,
                &client_id,
                REDIRECT,
                &[
                    ("code_challenge", &challenge),
                    ("code_challenge_method", "S256"),
                    ("scope", "openid vehicles"),
                    ("claims", &claims.to_string()),
                ],
            )
            .replace("scope=openid+profile&", "");
            let back = b.authorize_and_login(&url, "+79001112260", PASSWORD).await;
            let code = query_param(&back, "code").unwrap();
            let (_, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
            let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
            let list = info["vehicles"].as_array().unwrap();
            if unverified {
                assert_eq!(list.len(), 2, "{info}");
                assert_eq!(list[1]["numberPlate"], "В777ОР69");
                assert_eq!(list[1]["vrfStu"], "NOT_VERIFIED");
            } else {
                assert_eq!(list.len(), 1, "{info}");
            }
        }
        assert_eq!(
            info["vehicles"][0]["regCertificate"]["number"],
            "9911223344"
        );
        assert_eq!(
            info["kids"],
            serde_json::json!([]),
            "the rejected child record is not released: {info}"
        );
    }
}
