use super::*;

pub(crate) fn vhod_serve(dir: &std::path::Path, env: &[(&str, &str)]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_vhod"));
    c.current_dir(dir)
        .env_remove("VHOD_CONFIG")
        .env_remove("VHOD_DEV__ENABLED")
        .env(
            "VHOD_DATABASE__URL",
            format!("sqlite://{}/vhod.db", dir.display()),
        )
        .env("VHOD_KEYS__KEK_FILE", dir.join("kek"))
        .env("VHOD_PASSWORD__MEMORY_KIB", "1024")
        .env("VHOD_PASSWORD__ITERATIONS", "1")
        .env("VHOD_LOG", "warn")
        .envs(env.iter().copied())
        .arg("serve");
    c
}

/// Runs the command for at most 20 s: (exit status if it ended, stderr).
pub(crate) fn run_briefly(
    mut cmd: std::process::Command,
) -> (Option<std::process::ExitStatus>, String) {
    use std::io::Read;
    let mut child = cmd.stderr(std::process::Stdio::piped()).spawn().unwrap();
    let mut status = None;
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if status.is_none() {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status, err)
}

#[test]
fn dev_mode_refuses_to_start_with_a_public_issuer_or_listener() {
    let dir = std::env::temp_dir().join(format!("vhod-dev-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    for (env, names) in [
        (
            vec![("VHOD_SERVER__ISSUER", "https://id.example.gov")],
            "https",
        ),
        (
            vec![("VHOD_SERVER__ISSUER", "http://id.example.gov")],
            "id.example.gov",
        ),
        (vec![("VHOD_SERVER__BIND", "0.0.0.0:0")], "0.0.0.0:0"),
    ] {
        let (status, err) = run_briefly(vhod_serve(&dir, &env));
        assert!(
            status.is_some_and(|s| !s.success()),
            "{env:?}: still serving"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            err.contains("development mode") && err.contains(names),
            "{err}"
        );
        assert!(err.contains("VHOD_DEV__ENABLED=false"), "{err}");
    }
    // The same deployment with dev mode off gets past the configuration (it then stops only
    // because the port it is given is taken).
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let (_, err) = run_briefly(vhod_serve(
        &dir,
        &[
            ("VHOD_SERVER__ISSUER", "https://id.example.gov"),
            ("VHOD_SERVER__BIND", &bind),
            ("VHOD_DEV__ENABLED", "false"),
        ],
    ));
    assert!(!err.contains("development mode"), "{err}");
    drop(taken);
}

#[test]
fn dev_mode_on_defaults_still_starts_on_localhost() {
    let dir = std::env::temp_dir().join(format!("vhod-dev-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let issuer = format!("http://localhost:{port}");
    let mut child = vhod_serve(
        &dir,
        &[
            ("VHOD_SERVER__BIND", &bind),
            ("VHOD_SERVER__ISSUER", &issuer),
        ],
    )
    .spawn()
    .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(&bind).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(up, "vhod serve with dev mode on loopback did not start");
}

#[tokio::test]
async fn the_outbox_says_loudly_what_it_is() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let html = reqwest::get(format!("{}/dev/outbox", t.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("РЕЖИМ РАЗРАБОТКИ: сообщения никуда не отправляются"),
        "{html}"
    );
    assert!(html.contains("Никогда не включайте режим разработки на рабочем сервере"));
}

#[tokio::test]
async fn the_claims_parameter_does_not_bypass_consent() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        let client = (id.as_str(), secret.as_str());
        person_with_everything(&t, "+79005550079").await;
        let b = signed_in(&t, "+79005550079").await;
        let request = serde_json::json!({
            "userinfo": { "addresses": null, "email": null, "phone_number": null }
        })
        .to_string();
        let silent = |request: String| {
            let (b, base, id) = (&b, t.base.clone(), id.clone());
            async move {
                let (url, _) = auth_url(
                    &base,
                    &id,
                    &[
                        ("scope", "openid"),
                        ("prompt", "none"),
                        ("claims", &request),
                    ],
                );
                match b.follow(&url).await {
                    Landing::Left(back) => back,
                    other => panic!("{other:?}"),
                }
            }
        };
        // Never consented: prompt=none with claims by name is consent_required, not data.
        let back = silent(request.clone()).await;
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("consent_required"),
            "{}: {back}",
            backend.name()
        );
        // With consent the page names them, and the portal gets exactly what was allowed.
        let (html, verifier) =
            consent_page(&t, &b, &id, &[("scope", "openid"), ("claims", &request)]).await;
        let page = consent_list(&html);
        for w in [
            "адреса регистрации и проживания",
            "адрес электронной почты",
            "номер мобильного телефона",
        ] {
            assert!(page.contains(w), "{w}: {page}");
        }
        let tokens = allow_and_redeem(&t, &b, client, &html, &verifier).await;
        let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
        assert!(
            info["addresses"].is_array() && info["email"].is_string(),
            "{info}"
        );
        // The same request is now covered…
        let back = silent(request.clone()).await;
        assert!(
            query_param(&back, "code").is_some(),
            "{}: {back}",
            backend.name()
        );
        // …but a claim the consent did not cover needs consent again.
        let more = serde_json::json!({ "id_token": { "snils": null } }).to_string();
        let back = silent(more).await;
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("consent_required"),
            "{}: {back}",
            backend.name()
        );
        // And so does data asked for unverified when only verified data was allowed.
        let unverified =
            serde_json::json!({ "userinfo": { "addresses": null, "vehicles": null } }).to_string();
        let (html, verifier) =
            consent_page(&t, &b, &id, &[("scope", "openid"), ("claims", &unverified)]).await;
        allow_and_redeem(&t, &b, client, &html, &verifier).await;
        let pending =
            serde_json::json!({ "userinfo": { "vehicles": { "unverified": true } } }).to_string();
        let back = silent(pending).await;
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("consent_required"),
            "{back}"
        );
    }
}

#[tokio::test]
async fn a_code_issued_before_logout_makes_no_tokens_after_it() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        t.add_person("late@example.org").await;
        let b = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &b, &id, "late@example.org").await;
        let logout = page(&b, "/logout").await;
        b.submit(&logout, "/logout", &[]).await;
        let (status, body) = redeem(&t, &id, &secret, &code, &verifier).await;
        assert_eq!(status, 400, "{}: {body}", backend.name());
        assert_eq!(body["error"], "invalid_grant");
    }
}
