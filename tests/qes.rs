//! Qualified-electronic-signature login end to end over HTTP: binding a certificate in the
//! settings (fresh login + code), «Войти с электронной подписью», what the portal sees, the level
//! raise, and every refusal with the message the person reads.

mod common;
#[path = "common/pki.rs"]
mod pki;

use common::*;
use pki::{Ca, Person, PersonOpts, Scratch};

const EMAIL: &str = "signer@example.org";
const SNILS: &str = "112-233-445 95";
const OTHER_SNILS: &str = "010-242-368 77";

struct Fixture {
    t: TestServer,
    scratch: Scratch,
    sub: Ca,
    account: String,
}

/// Root CA trusted, intermediate attached to signatures; the intermediate's CRL revokes serial 66.
/// One person (e-mail login) whose SNILS 112-233-445 95 is verified.
async fn setup(backend: &Backend) -> Fixture {
    let scratch = Scratch::new();
    let root = Ca::root("Test Root CA");
    let sub = root.intermediate("Test Issuing CA");
    let mut config = test_config(backend);
    config.qes.trust_dir = pki::trust_dir(&scratch, &[&root]);
    config.qes.crls = format!(
        "{},{}",
        scratch.write("root.crl", &root.crl(&[])),
        scratch.write("sub.crl", &sub.crl(&[66]))
    );
    let t = TestServer::start_with(backend, config).await;
    let account = t.add_person(EMAIL).await;
    t.app
        .store
        .add_verified_identifier(&account, "snils", "11223344595")
        .await
        .unwrap();
    Fixture {
        t,
        scratch,
        sub,
        account,
    }
}

impl Fixture {
    fn person(&self, snils: &str, serial: u8) -> Person {
        self.person_with(PersonOpts::new(snils, serial))
    }

    fn person_with(&self, opts: PersonOpts<'_>) -> Person {
        let mut p = self.sub.person(opts);
        p.chain_pem = self.sub.pem.clone();
        p
    }

    async fn password_login(&self) -> Browser {
        let b = Browser::new(&self.t.base);
        let Landing::Page(200, page) = b.follow("/login").await else {
            panic!("no login page");
        };
        match b
            .submit_follow(&page, "/login", &[("login", EMAIL), ("password", PASSWORD)])
            .await
        {
            Landing::Page(200, html) => assert!(html.contains("/account/signature"), "{html}"),
            other => panic!("password login failed: {other:?}"),
        }
        b
    }

    /// Signs the bind challenge of the settings page and posts it: the response (code page or refusal).
    async fn start_binding(&self, b: &Browser, person: &Person) -> (u16, String) {
        let Landing::Page(200, page) = b.follow("/account/signature").await else {
            panic!("no settings page");
        };
        let challenge = field(&page, "challenge");
        let sig = pki::sign(&self.scratch, person, &challenge, true);
        let res = b
            .submit(&page, "/account/signature/bind", &[("signature", &sig)])
            .await;
        let status = res.status().as_u16();
        // Accepted: 303 to the code step (Post/Redirect/Get), which is followed.
        if let Some(next) = location(&res) {
            assert!(next.starts_with("/account/signature?bind="), "{next}");
            let Landing::Page(200, page) = b.follow(&next).await else {
                panic!("no code page");
            };
            return (status, page);
        }
        (status, res.text().await.unwrap())
    }

    async fn bind(&self, person: &Person) {
        let b = self.password_login().await;
        let (status, page) = self.start_binding(&b, person).await;
        assert_eq!(status, 303, "{page}");
        let code = code_in(&self.t.last_message(EMAIL).await);
        match b
            .submit_follow(&page, "/account/signature/confirm", &[("code", &code)])
            .await
        {
            Landing::Page(200, html) => assert!(html.contains("Сертификат привязан"), "{html}"),
            other => panic!("binding not confirmed: {other:?}"),
        }
    }

    /// Opens «Войти с электронной подписью» (for `tx` if given), signs what `content` makes of the
    /// challenge and posts it; the response is not followed.
    async fn signature_login(
        &self,
        b: &Browser,
        tx: Option<&str>,
        person: &Person,
        content: impl Fn(&str) -> String,
    ) -> reqwest::Response {
        let url = match tx {
            Some(tx) => format!("/login/signature?tx={tx}"),
            None => "/login/signature".to_string(),
        };
        let Landing::Page(200, page) = b.follow(&url).await else {
            panic!("no signature login page");
        };
        assert!(
            page.contains("openssl cms -sign"),
            "the page explains signing"
        );
        let sig = pki::sign(
            &self.scratch,
            person,
            &content(&field(&page, "challenge")),
            true,
        );
        b.submit(&page, "/login/signature", &[("signature", &sig)])
            .await
    }
}

fn field(html: &str, name: &str) -> String {
    hidden_fields(html)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no hidden field {name} in {html}"))
}

fn code_in(message: &serde_json::Value) -> String {
    let body = message["body"].as_str().expect("message body");
    assert!(body.contains("электронной подписи"), "{body}");
    body.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("6-digit code")
        .to_string()
}

async fn refused(res: reqwest::Response, status: u16, message: &str) {
    assert_eq!(res.status().as_u16(), status);
    let html = res.text().await.unwrap();
    assert!(html.contains(message), "expected «{message}» in {html}");
}

#[tokio::test]
async fn binding_needs_fresh_login_and_code_then_signature_login_works() {
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 10);
        // Not enabled yet: the SNILS matches but no certificate is bound.
        let res = f
            .signature_login(&Browser::new(&f.t.base), None, &person, str::to_string)
            .await;
        refused(res, 401, "Вход с электронной подписью не включён").await;

        let b = f.password_login().await;
        // A wrong code costs an attempt and says so.
        let (status, page) = f.start_binding(&b, &person).await;
        assert_eq!(status, 303, "{page}");
        assert!(page.contains("Код отправлен на"), "{page}");
        let code = code_in(&f.t.last_message(EMAIL).await);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let res = b
            .submit(&page, "/account/signature/confirm", &[("code", wrong)])
            .await;
        refused(res, 401, "Неверный код").await;
        match b
            .submit_follow(&page, "/account/signature/confirm", &[("code", &code)])
            .await
        {
            Landing::Page(200, html) => {
                assert!(html.contains("Сертификат привязан"), "{html}");
                assert!(html.contains("Test Issuing CA"), "{html}");
            }
            other => panic!("binding not confirmed: {other:?}"),
        }
        let notice = f.t.last_message(EMAIL).await;
        assert!(
            notice["body"]
                .as_str()
                .unwrap()
                .contains("привязан сертификат электронной подписи"),
            "{notice}"
        );
        let bound = f.t.app.store.qes_certificates(&f.account).await.unwrap();
        assert_eq!(bound.len(), 1);
        assert_eq!(bound[0].snils, "11223344595");
        assert_eq!(bound[0].serial, "0a");
        let audit = f.t.app.store.audit_since(0).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "qes.certificate_bound" && e.target == f.account),
            "binding is audited"
        );
        // The settings page is for signed-in people only.
        let res = Browser::new(&f.t.base).get("/account/signature").await;
        assert_eq!(location(&res).as_deref(), Some("/login"));

        // Signature login now starts a session and lands on the account page.
        let fresh = Browser::new(&f.t.base);
        let res = f
            .signature_login(&fresh, None, &person, str::to_string)
            .await;
        assert_eq!(location(&res).as_deref(), Some("/account"));
        let Landing::Page(200, html) = fresh.follow("/account").await else {
            panic!("no account page after signature login");
        };
        assert!(html.contains("Иванов Иван"), "{html}");
        // A signature session lasts qes.session_ttl (an hour), far less than a password session.
        f.t.app.clock.advance(f.t.app.config.qes.session_ttl + 1);
        let res = fresh.get("/account").await;
        assert_eq!(location(&res).as_deref(), Some("/login"));
        let Landing::Page(200, _) = b.follow("/account").await else {
            panic!("the password session (8 hours) is still alive");
        };

        // More than five minutes after the password login, binding asks for a new login.
        let Landing::Page(200, page) = b.follow("/account/signature").await else {
            panic!("no settings page");
        };
        assert!(page.contains("войдите заново"), "{page}");
        let res = b
            .post(
                "/account/signature/bind",
                &[
                    ("csrf", &field(&page, "csrf")),
                    ("challenge", "x"),
                    ("signature", "x"),
                ],
            )
            .await;
        refused(res, 403, "не более 5 минут назад").await;
    }
}

#[tokio::test]
async fn five_wrong_codes_end_the_binding() {
    for backend in backends() {
        let f = setup(&backend).await;
        let b = f.password_login().await;
        let (_, page) = f.start_binding(&b, &f.person(SNILS, 11)).await;
        let code = code_in(&f.t.last_message(EMAIL).await);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..4 {
            let res = b
                .submit(&page, "/account/signature/confirm", &[("code", wrong)])
                .await;
            refused(res, 401, "Неверный код").await;
        }
        let res = b
            .submit(&page, "/account/signature/confirm", &[("code", wrong)])
            .await;
        refused(res, 429, "Слишком много неверных кодов").await;
        // Even the right code is too late now.
        let res = b
            .submit(&page, "/account/signature/confirm", &[("code", &code)])
            .await;
        refused(res, 400, "Начните привязку заново").await;
        assert!(
            f.t.app
                .store
                .qes_certificates(&f.account)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn binding_refuses_a_certificate_with_another_snils() {
    for backend in backends() {
        let f = setup(&backend).await;
        let b = f.password_login().await;
        let (status, html) = f.start_binding(&b, &f.person(OTHER_SNILS, 12)).await;
        assert_eq!(status, 400);
        assert!(
            html.contains("не совпадает со СНИЛС учётной записи"),
            "{html}"
        );
        // Revoked certificates cannot be bound either.
        let (status, html) = f.start_binding(&b, &f.person(SNILS, 66)).await;
        assert_eq!(status, 401);
        assert!(html.contains("Сертификат отозван"), "{html}");
        assert!(
            f.t.app
                .store
                .qes_certificates(&f.account)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn portal_sees_acr_high_and_signature_amr_in_the_id_token() {
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 13);
        f.bind(&person).await;
        f.t.app
            .store
            .set_level(&f.account, "standard")
            .await
            .unwrap();
        let (client_id, secret) = f.t.add_client(REDIRECT, false).await;
        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &f.t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("nonce", "n-qes"),
            ],
        );
        let b = Browser::new(&f.t.base);
        let Landing::Page(200, login) = b.follow(&url).await else {
            panic!("no login page");
        };
        assert!(login.contains("Войти с электронной подписью"), "{login}");
        let tx = field(&login, "tx");
        let res = f
            .signature_login(&b, Some(&tx), &person, str::to_string)
            .await;
        let next = location(&res).expect("redirect after signature login");
        let back = match b.follow(&next).await {
            Landing::Left(url) => url,
            Landing::Page(200, html) if html.contains("name=\"decision\"") => {
                match b
                    .submit_follow(&html, "/consent", &[("decision", "allow")])
                    .await
                {
                    Landing::Left(url) => url,
                    other => panic!("consent did not redirect: {other:?}"),
                }
            }
            other => panic!("no redirect to the portal: {other:?}"),
        };
        let code = query_param(&back, "code").expect("code");
        let (status, tokens) = redeem(&f.t, &client_id, &secret.unwrap(), &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let claims = id_token_claims(&tokens);
        assert_eq!(claims["acr"], vhod::authn::ACR_HIGH);
        let amr: Vec<&str> = claims["amr"]
            .as_array()
            .expect("amr")
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(amr, ["sc", "pin"]);
        // The signature also confirmed the standard account, and the portal is told how.
        assert_eq!(claims["account_level"], "confirmed");
        assert_eq!(claims["account_level_method"], "qes");
    }
}

#[tokio::test]
async fn signature_login_raises_a_standard_account_to_confirmed() {
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 14);
        f.bind(&person).await;
        f.t.app
            .store
            .set_level(&f.account, "standard")
            .await
            .unwrap();
        let b = Browser::new(&f.t.base);
        let res = f.signature_login(&b, None, &person, str::to_string).await;
        assert_eq!(location(&res).as_deref(), Some("/account"));
        let account = f.t.app.store.account(&f.account).await.unwrap().unwrap();
        assert_eq!(account.level, "confirmed");
        let events = f.t.app.store.level_events(&f.account).await.unwrap();
        let raise = events
            .iter()
            .find(|e| e.level == "confirmed")
            .expect("level history records the raise");
        assert_eq!(raise.method, "qes");
        assert!(
            raise.evidence.contains("qes certificate"),
            "{}",
            raise.evidence
        );
        let Landing::Page(200, html) = b.follow("/account").await else {
            panic!("no account page");
        };
        assert!(html.contains("Подтверждённая"), "{html}");
        // A simplified account is not raised by a signature alone.
        f.t.app
            .store
            .set_level(&f.account, "simplified")
            .await
            .unwrap();
        let res = f
            .signature_login(&Browser::new(&f.t.base), None, &person, str::to_string)
            .await;
        assert_eq!(location(&res).as_deref(), Some("/account"));
        let account = f.t.app.store.account(&f.account).await.unwrap().unwrap();
        assert_eq!(account.level, "simplified");
    }
}

#[tokio::test]
async fn signature_login_refusals_name_the_reason() {
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 15);
        f.bind(&person).await;
        let b = Browser::new(&f.t.base);

        // A signature over some other challenge.
        let res = f
            .signature_login(&b, None, &person, |c| format!("{c}-other"))
            .await;
        refused(res, 401, "Подпись неверна или сделана не для этой строки").await;

        // A challenge used once cannot be used again, even with a correct signature.
        let Landing::Page(200, page) = b.follow("/login/signature").await else {
            panic!("no page");
        };
        let sig = pki::sign(&f.scratch, &person, &field(&page, "challenge"), true);
        let first = b
            .submit(&page, "/login/signature", &[("signature", &sig)])
            .await;
        assert_eq!(location(&first).as_deref(), Some("/account"));
        let again = b
            .submit(&page, "/login/signature", &[("signature", &sig)])
            .await;
        refused(again, 401, "устарела или уже использована").await;

        // Certificate of a CA that is not trusted.
        let stranger = Ca::root("Stranger CA").person(PersonOpts::new(SNILS, 16));
        let res = f.signature_login(&b, None, &stranger, str::to_string).await;
        refused(res, 401, "не аккредитованным удостоверяющим центром").await;

        // Expired certificate.
        let mut opts = PersonOpts::new(SNILS, 17);
        opts.valid = (2021, 2022);
        let res = f
            .signature_login(&b, None, &f.person_with(opts), str::to_string)
            .await;
        refused(res, 401, "Срок действия сертификата истёк").await;

        // Revoked certificate (on the intermediate's CRL).
        let res = f
            .signature_login(&b, None, &f.person(SNILS, 66), str::to_string)
            .await;
        refused(res, 401, "Сертификат отозван").await;

        // A SNILS no account has verified.
        let res = f
            .signature_login(&b, None, &f.person(OTHER_SNILS, 18), str::to_string)
            .await;
        refused(res, 401, "с подтверждённым СНИЛС из сертификата не найдена").await;

        // The right SNILS, but another certificate than the bound one.
        let res = f
            .signature_login(&b, None, &f.person(SNILS, 19), str::to_string)
            .await;
        refused(res, 401, "не привязан к учётной записи").await;

        // Bytes that are no CMS at all.
        let Landing::Page(200, page) = b.follow("/login/signature").await else {
            panic!("no page");
        };
        let res = b
            .submit(
                &page,
                "/login/signature",
                &[("signature", "bm90IGEgc2lnbmF0dXJl")],
            )
            .await;
        refused(res, 401, "Не удалось прочитать подпись").await;

        // And without the CSRF token nothing is checked at all.
        let res = b
            .post(
                "/login/signature",
                &[("challenge", "x"), ("signature", "x")],
            )
            .await;
        assert_eq!(res.status(), 403);
    }
}

#[tokio::test]
async fn a_person_can_sign_from_a_terminal_with_vhod_sign_challenge() {
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 20);
        f.bind(&person).await;
        let b = Browser::new(&f.t.base);
        let Landing::Page(200, page) = b.follow("/login/signature").await else {
            panic!("no page");
        };
        assert!(page.contains("vhod sign-challenge"), "the page explains it");
        let challenge = field(&page, "challenge");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vhod"))
            .arg("sign-challenge")
            .arg("--cert")
            .arg(f.scratch.write("cli-cert.pem", &person.cert_pem))
            .arg("--key")
            .arg(f.scratch.write("cli-key.pem", &person.key_pem))
            .arg("--chain")
            .arg(f.scratch.write("cli-chain.pem", &person.chain_pem))
            .arg(&challenge)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sig = String::from_utf8(out.stdout).unwrap();
        let res = b
            .submit(&page, "/login/signature", &[("signature", sig.trim())])
            .await;
        assert_eq!(location(&res).as_deref(), Some("/account"));
    }
}

/// A multipart/form-data body like a browser sends for the page's form with a chosen file.
fn multipart(fields: &[(String, String)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----vhodTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"signature_file\"; filename=\"challenge.p7s\"\r\nContent-Type: application/pkcs7-signature\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn an_uploaded_der_signature_file_logs_in() {
    use base64::Engine;
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 21);
        f.bind(&person).await;
        let b = Browser::new(&f.t.base);
        let Landing::Page(200, page) = b.follow("/login/signature").await else {
            panic!("no page");
        };
        assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
        let pem = pki::sign(&f.scratch, &person, &field(&page, "challenge"), true);
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let post = |fields: Vec<(String, String)>, file: Vec<u8>| {
            let (ct, body) = multipart(&fields, &file);
            b.http
                .post(format!("{}/login/signature", f.t.base))
                .header("content-type", ct)
                .body(body)
                .send()
        };
        // Without the CSRF token the upload is refused before anything is checked.
        let no_csrf: Vec<(String, String)> = hidden_fields(&page)
            .into_iter()
            .filter(|(n, _)| n != "csrf")
            .collect();
        let res = post(no_csrf, der.clone()).await.unwrap();
        assert_eq!(res.status(), 403);
        let res = post(hidden_fields(&page), der).await.unwrap();
        assert_eq!(location(&res).as_deref(), Some("/account"));
    }
}

#[tokio::test]
async fn a_portal_requiring_high_steps_a_password_session_up_to_a_signature() {
    for backend in backends() {
        let f = setup(&backend).await;
        let (client_id, secret) = f.t.add_client(REDIRECT, false).await;
        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &f.t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("acr_values", vhod::authn::ACR_HIGH),
            ],
        );
        // No certificate bound: the portal is told high cannot be reached for this person.
        let b = f.password_login().await;
        match b.follow(&url).await {
            Landing::Left(back) => assert_eq!(
                query_param(&back, "error").as_deref(),
                Some("unmet_authentication_requirements"),
                "{back}"
            ),
            other => panic!("{other:?}"),
        }
        let person = f.person(SNILS, 21);
        f.bind(&person).await;
        // A password session is stepped up: the signature page within the same transaction.
        let b = f.password_login().await;
        let next = match b.http.get(&url).send().await.unwrap() {
            res if res.status() == 303 => location(&res).unwrap(),
            res => panic!("{}", res.status()),
        };
        assert!(next.starts_with("/login/signature?tx="), "{next}");
        let tx = next.split("tx=").nth(1).unwrap().to_string();
        let res = f
            .signature_login(&b, Some(&tx), &person, str::to_string)
            .await;
        let next = location(&res).expect("redirect after signature login");
        let back = match b.follow(&next).await {
            Landing::Left(url) => url,
            Landing::Page(200, html) if html.contains("name=\"decision\"") => {
                match b
                    .submit_follow(&html, "/consent", &[("decision", "allow")])
                    .await
                {
                    Landing::Left(url) => url,
                    other => panic!("consent did not redirect: {other:?}"),
                }
            }
            other => panic!("no redirect to the portal: {other:?}"),
        };
        let code = query_param(&back, "code").expect("code");
        let (status, tokens) = redeem(&f.t, &client_id, &secret.unwrap(), &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(id_token_claims(&tokens)["acr"], vhod::authn::ACR_HIGH);
    }
}
