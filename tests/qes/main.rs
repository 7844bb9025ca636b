//! Qualified-electronic-signature login end to end over HTTP: binding a certificate in the
//! settings (fresh login + code), «Войти с электронной подписью», what the portal sees, the level
//! raise, and every refusal with the message the person reads.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/pki.rs"]
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

mod binding;
mod signature_login;
