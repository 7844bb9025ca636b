//! ASVS V5.3.3, stored XSS through every field a person or an administrator sets that a page
//! shows: a person's names and addresses, a portal's (client's) name, an organisation's name,
//! addresses and card, a device (the User-Agent a session is named after), a passkey's name. Each
//! field gets its own payload; every page that shows them must carry the escaped text (so the
//! field was rendered) and never the raw markup.

use crate::common::login::*;
use crate::common::*;
use crate::orgs_support::*;
use vhod::clients::{self, NewClient};
use vhod::orgs::{create, members};
use vhod::store::orgs::OrgCard;

/// A payload that breaks out of text, of a double-quoted attribute and of a script, tagged.
fn payload(tag: &str) -> String {
    format!("\"'><img src=x onerror=alert(1)><script>alert(1)</script>xss-{tag}")
}

fn raw_markup(html: &str) -> bool {
    html.contains("<script>alert") || html.contains("<img src=x")
}

#[tokio::test]
async fn asvs_v5_3_3_stored_xss_in_every_field_shown_on_a_page_is_escaped() {
    for backend in backends() {
        let w = world(&backend).await;
        let t = &w.t;
        let login = "xss.person@example.org";
        // Names cannot carry markup at all: refused where they enter (registration, in person
        // or on the page); what follows checks that everything else is escaped on output.
        let refused = vhod::identity::registration::register_in_person(
            &t.app,
            vhod::identity::registration::RegistrationForm {
                surname: &payload("surname"),
                given_name: &payload("given"),
                contact: "xss.names@example.org",
            },
            PASSWORD,
        )
        .await;
        assert!(refused.is_err(), "markup in a name is refused");
        let person = t.add_person(login).await;
        // A confirmed person may register a sole trader and edit its card.
        let snils = snils("112233445");
        t.app
            .store
            .add_verified_identifier(&person, "snils", &snils)
            .await
            .unwrap();
        t.app.store.set_level(&person, "confirmed").await.unwrap();
        let oid = create::sole_trader(
            &t.app,
            &person,
            &ogrnip("30450011600012"),
            &inn12("5001007320"),
        )
        .await
        .unwrap()
        .org()
        .oid;
        members::edit_card(
            &t.app,
            &person,
            oid,
            OrgCard {
                short_name: payload("org-name"),
                legal_address: payload("org-legal"),
                actual_address: payload("org-actual"),
                phone: "+79001234567".into(),
                email: "org@example.org".into(),
                hours: payload("org-hours"),
                site: "https://org.example.org".into(),
                okpo: String::new(),
                okved: String::new(),
            },
        )
        .await
        .unwrap();
        // A passkey named by the person.
        t.app
            .store
            .add_passkey(vhod::store::passkeys::NewPasskey {
                account_id: &person,
                cred_id: "xss-cred",
                user_handle: "xss-handle",
                name: &payload("passkey"),
                passkey: "{}",
                counter: 0,
            })
            .await
            .unwrap();

        // The device: a session opened by a browser whose User-Agent is the payload.
        let device = Browser {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(format!(
                    "{} Chrome/120.0 (X11; Linux x86_64)",
                    payload("device")
                ))
                .build()
                .unwrap(),
            base: t.base.clone(),
        };
        sign_in_303(&device, login, "the device signs in").await;

        // A portal named by its administrator, allowed by the person (consent page, permissions).
        let (client, _) = clients::register(
            &t.app.store,
            NewClient {
                name: payload("client"),
                redirect_uris: vec![REDIRECT.into()],
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let b = Browser::new(&t.base);
        let (_, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            client.id.as_ref(),
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        let login_page = page_at(&b, &url).await;
        let consent = match b
            .submit_follow(
                &login_page,
                "/login",
                &[("login", login), ("password", PASSWORD)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(
            consent.contains("xss-client"),
            "the consent page names the portal"
        );
        assert!(!raw_markup(&consent), "consent: {consent}");
        match b
            .submit_follow(&consent, "/consent", &[("decision", "allow")])
            .await
        {
            Landing::Left(to) => assert!(to.starts_with(REDIRECT)),
            other => panic!("{other:?}"),
        }

        // Addresses typed into the contacts page.
        let contacts = page_at(&b, "/account/contacts").await;
        let res = b
            .submit(
                &contacts,
                "/account/addresses",
                &[
                    ("registration", &payload("addr-reg")),
                    ("residence", &payload("addr-res")),
                ],
            )
            .await;
        assert!(res.status().is_redirection(), "{}", res.status());

        let mut shown = String::new();
        for page in [
            "/account".to_string(),
            "/account/contacts".into(),
            "/account/permissions".into(),
            "/account/security".into(),
            "/account/passkeys".into(),
            "/account/orgs".into(),
            format!("/account/orgs/{oid}"),
            "/account/records".into(),
            "/account/delete".into(),
        ] {
            let res = b.get(&page).await;
            let status = res.status().as_u16();
            let html = res.text().await.unwrap();
            assert!(status < 500, "{page}: {status}");
            assert!(!raw_markup(&html), "{page} on {}: {html}", backend.name());
            shown.push_str(&html);
        }
        for tag in [
            "org-name",
            "org-legal",
            "org-actual",
            "org-hours",
            "passkey",
            "client",
            "addr-reg",
            "addr-res",
        ] {
            assert!(
                shown.contains(&format!("xss-{tag}")),
                "{tag} is shown on some page"
            );
        }
        let at = shown.find("xss-client").unwrap();
        let around = &shown[shown.floor_char_boundary(at.saturating_sub(120))..at];
        assert!(
            around.contains("&lt;script&gt;") || around.contains("&#60;script&#62;"),
            "shown escaped: {around}"
        );
        // A device is named from a fixed vocabulary, never from the User-Agent's text.
        assert!(
            shown.contains("Chrome, Linux"),
            "the device's session is listed"
        );
        assert!(!shown.contains("xss-device"));
    }
}

#[tokio::test]
async fn asvs_v5_3_3_portal_names_are_escaped_on_the_admin_console() {
    use vhod::admin::Role;
    use vhod::admin::auth::issue_bootstrap_token;
    use vhod::clients::esia::{NewEsiaClient, register};
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        // An ESIA portal named with markup (registered as the API and CLI do).
        register(
            &t.app.store,
            NewEsiaClient {
                client_id: "XSS_PORTAL".into(),
                name: payload("esia-client"),
                certificate: include_bytes!("../fixtures/gost/256-A.cert.pem").to_vec(),
                redirect_uris: vec!["https://portal.example/esia/callback".into()],
                ..NewEsiaClient::default()
            },
        )
        .await
        .unwrap();
        let roles = [Role::SecurityAdmin, Role::Operator, Role::Auditor];
        let (token, _) = issue_bootstrap_token(&t.app, &roles, "xss", 600)
            .await
            .unwrap();
        let b = Browser::new(&t.base);
        let login = page_at(&b, "/admin/console").await;
        b.submit(&login, "/admin/console/login", &[("token", &token)])
            .await;
        // An OpenID portal named with markup through the console's own form (audited by name).
        let page = page_at(&b, "/admin/console/clients").await;
        let res = b
            .submit(
                &page,
                "/admin/console/clients",
                &[
                    ("action", "add"),
                    ("name", &payload("oidc-client")),
                    ("redirect_uris", "https://rp.example/cb"),
                ],
            )
            .await;
        assert_eq!(res.status(), 200, "{}", backend.name());
        let answer = res.text().await.unwrap();
        assert!(!raw_markup(&answer), "the registration answer: {answer}");
        let mut shown = String::new();
        for page in [
            "/admin/console",
            "/admin/console/clients",
            "/admin/console/esia",
        ] {
            let html = page_at(&b, page).await;
            assert!(!raw_markup(&html), "{page} on {}: {html}", backend.name());
            shown.push_str(&html);
        }
        for tag in ["oidc-client", "esia-client"] {
            assert!(shown.contains(&format!("xss-{tag}")), "{tag} is shown");
        }
    }
}
