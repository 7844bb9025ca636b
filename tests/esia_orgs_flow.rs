//! Signing in for an organisation by ESIA (issue 14): a portal asks `usr_org` in `scope` and
//! organisation scopes in `scope_org` at v2/ac; after sign-in the person chooses one of their
//! organisations, the consent page names the organisation's items, and the access token carries
//! `org_*?org_oid=N` for the chosen organisation, which the REST resources then open. Both
//! backends; and the same across two nodes (PostgreSQL + Redis).

mod common;
mod esia_rp;
#[path = "esia_orgs/support.rs"]
mod support;

use common::esia::rs_get;
use common::*;
use esia_rp::*;
use support::*;

const FLOW_PORTAL: &str = "B2B_PORTAL";
const SCOPE: &str = "openid fullname usr_org";
const SCOPE_ORG: &str = "org_shortname org_ogrn org_emps";

/// v2/ac parameters with `scope_org`, signed over client_id + scope + scope_org + timestamp +
/// state + redirect_uri.
fn ac_params_org(rp: &EsiaRp, now: i64, state: &str) -> Vec<(String, String)> {
    let mut p = rp.ac_params(now, SCOPE, state, PHP);
    let ts = p.iter().find(|(k, _)| k == "timestamp").unwrap().1.clone();
    let secret = rp.sign(
        &format!("{FLOW_PORTAL}{SCOPE}{SCOPE_ORG}{ts}{state}{PORTAL_REDIRECT}"),
        PHP,
    );
    set(&mut p, "client_secret", Some(&secret));
    set(&mut p, "scope_org", Some(SCOPE_ORG));
    p
}

/// Signs in at `url` and lands on the organisation choice page (shared with OpenID, /org-choice).
async fn choice_page(browser: &Browser, url: &str, login: &str) -> String {
    match sign_in(browser, url, login).await {
        Landing::Page(200, html) => html,
        other => panic!("login did not lead to the choice: {other:?}"),
    }
}

async fn sign_in(browser: &Browser, url: &str, login: &str) -> Landing {
    let page = match browser.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("expected the login page, got {other:?}"),
    };
    browser
        .submit_follow(&page, "/login", &[("login", login), ("password", PASSWORD)])
        .await
}

#[tokio::test]
async fn the_person_chooses_the_organisation_and_the_token_carries_it() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(
            &t,
            FLOW_PORTAL,
            &[
                "fullname",
                "usr_org",
                "org_shortname",
                "org_ogrn",
                "org_emps",
            ],
        )
        .await;
        let (me, my_oid) = person(&t, "+79005553001").await;
        let (boss, _) = person(&t, "+79005553002").await;
        let (_, _) = person(&t, "+79005553003").await;
        let x = org(&t, "1027700132195", "Ромашка", &boss).await;
        let y = org(&t, "1025000000019", "Василёк", &me).await;
        t.app
            .store
            .add_org_member(x, &me, "employee")
            .await
            .unwrap();

        let browser = Browser::new(&t.base);
        let url = rp.ac_url(&ac_params_org(&rp, t.app.clock.now(), &new_state()));
        let choice = choice_page(&browser, &url, "+79005553001").await;
        assert!(
            choice.contains("id=\"org-choice\""),
            "{}: {choice}",
            backend.name()
        );
        assert!(
            choice.contains("Ромашка") && choice.contains("Василёк"),
            "{choice}"
        );
        assert!(
            choice.contains("Сотрудник") || choice.contains("сотрудник"),
            "roles named: {choice}"
        );

        // Choosing an organisation one is not in is refused (the form is checked, not trusted).
        let (stranger_org_boss, _) = person(&t, "+79005553004").await;
        let z = org(&t, "1026600000017", "Лютик", &stranger_org_boss).await;
        let res = browser
            .submit(&choice, &form_action(&choice), &[("org", &z.to_string())])
            .await;
        assert_eq!(res.status().as_u16(), 403);

        // Start again and choose Ромашка (where I am an employee): the consent page names the
        // organisation's items.
        let state = new_state();
        let url = rp.ac_url(&ac_params_org(&rp, t.app.clock.now(), &state));
        let choice = match browser.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(
            choice.contains("id=\"org-choice\""),
            "signed in: straight to the choice"
        );
        let consent = match browser
            .submit_follow(&choice, &form_action(&choice), &[("org", &x.to_string())])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(
            consent.contains("Организация: краткое наименование"),
            "{consent}"
        );
        assert!(
            consent.contains("Организации, в которых вы состоите"),
            "{consent}"
        );
        let back = match browser
            .submit_follow(&consent, &form_action(&consent), &[("decision", "allow")])
            .await
        {
            Landing::Left(url) => url,
            other => panic!("{other:?}"),
        };
        assert_eq!(param(&back, "state").as_deref(), Some(state.as_str()));
        let code = param(&back, "code").expect("a code");
        let (status, body) = rp
            .te(&rp.code_form(t.app.clock.now(), &code, SCOPE, PHP))
            .await;
        assert_eq!(status, 200, "{body}");
        let at = body["access_token"].as_str().unwrap().to_string();
        let (_, claims) = claims(&at);
        let scope = claims["scope"].as_str().unwrap();
        for item in [
            format!("usr_org?oid={my_oid}"),
            format!("org_shortname?org_oid={x}"),
            format!("org_ogrn?org_oid={x}"),
            format!("org_emps?org_oid={x}"),
        ] {
            assert!(scope.split(' ').any(|s| s == item), "{item} in {scope}");
        }
        assert!(
            !scope.contains(&format!("org_oid={y}")),
            "only the chosen organisation"
        );

        // The token opens the chosen organisation's card; /emps stays closed to an employee; the
        // other organisation is not the token's.
        let (status, card) = rs_get(&t, Some(&at), &format!("/rs/orgs/{x}")).await;
        assert_eq!(status, 200, "{card}");
        assert_eq!(card["shortName"], "Ромашка");
        assert_eq!(card["ogrn"], "1027700132195");
        assert_eq!(
            rs_get(&t, Some(&at), &format!("/rs/orgs/{x}/emps")).await.0,
            403
        );
        let (_, roles) = rs_get(&t, Some(&at), &format!("/rs/prns/{my_oid}/roles")).await;
        assert_eq!(roles["size"], 2);
        let (status, card_y) = rs_get(&t, Some(&at), &format!("/rs/orgs/{y}")).await;
        assert_eq!(status, 200, "usr_org: my other organisation's names");
        assert!(card_y.get("shortName").is_some() && card_y.get("inn").is_none());

        // The refresh keeps the organisation.
        let rt = body["refresh_token"].as_str().unwrap();
        let (status, refreshed) = rp
            .te(&rp.refresh_form(t.app.clock.now(), rt, SCOPE, false, PHP))
            .await;
        assert_eq!(status, 200, "{refreshed}");
        let (_, claims) = esia_rp::claims(refreshed["access_token"].as_str().unwrap());
        assert!(
            claims["scope"]
                .as_str()
                .unwrap()
                .contains(&format!("org_emps?org_oid={x}"))
        );

        // The organisation's page lists the portal; withdrawing it there ends the grant.
        let portals = vhod::orgs::portals::list(&t.app, x, &boss).await.unwrap();
        assert!(portals.iter().any(|p| p.client_id == FLOW_PORTAL), "listed");
        assert!(
            vhod::orgs::portals::withdraw(&t.app, x, &boss, FLOW_PORTAL)
                .await
                .unwrap()
        );
        let rt = refreshed["refresh_token"].as_str().unwrap();
        let (status, refused) = rp
            .te(&rp.refresh_form(t.app.clock.now(), rt, SCOPE, false, PHP))
            .await;
        assert_eq!(status, 400, "{}: {refused}", backend.name());
        assert!(
            refused["error_description"]
                .as_str()
                .unwrap()
                .starts_with("ESIA-007011"),
            "{refused}"
        );
    }
}

#[tokio::test]
async fn a_person_in_no_organisation_is_told_so_and_can_go_back() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, FLOW_PORTAL, &[]).await;
        person(&t, "+79005553011").await;
        let browser = Browser::new(&t.base);
        let state = new_state();
        let url = rp.ac_url(&ac_params_org(&rp, t.app.clock.now(), &state));
        let page = match sign_in(&browser, &url, "+79005553011").await {
            Landing::Page(403, html) => html,
            other => panic!("{}: the refusal page expected: {other:?}", backend.name()),
        };
        assert!(page.contains("id=\"back-to-portal\""), "{page}");
        let i = page
            .find("https://portal.example/esia/callback?")
            .expect("the way back");
        let back = html_unescape(&page[i..i + page[i..].find('"').unwrap()]);
        assert_eq!(
            param(&back, "error").as_deref(),
            Some("access_denied"),
            "{back}"
        );
        assert!(
            param(&back, "error_description")
                .unwrap_or_default()
                .starts_with("ESIA-007004"),
            "{back}"
        );
        assert_eq!(param(&back, "state").as_deref(), Some(state.as_str()));

        // An unknown organisation scope is refused at v2/ac (ESIA-007006).
        let mut p = rp.ac_params(t.app.clock.now(), SCOPE, &state, PHP);
        let ts = p.iter().find(|(k, _)| k == "timestamp").unwrap().1.clone();
        let secret = rp.sign(
            &format!("{FLOW_PORTAL}{SCOPE}org_nonsense{ts}{state}{PORTAL_REDIRECT}"),
            PHP,
        );
        set(&mut p, "client_secret", Some(&secret));
        set(&mut p, "scope_org", Some("org_nonsense"));
        let res = browser.get(&rp.ac_url(&p)).await;
        let to = location(&res).expect("back to the portal");
        assert!(
            param(&to, "error_description")
                .unwrap()
                .starts_with("ESIA-007006"),
            "{to}"
        );
    }
}

fn html_unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&#38;", "&")
}

#[tokio::test]
async fn organisation_sign_in_and_client_credentials_hop_between_two_nodes() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let node1 = TestServer::start(&backend).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer();
    let node2 = TestServer::start_with(&backend, cfg2).await;
    let rp1 = register_rp(
        &node1,
        FLOW_PORTAL,
        &[
            "fullname",
            "usr_org",
            "org_shortname",
            "org_ogrn",
            "org_emps",
        ],
    )
    .await;
    let rp2 = rp1.on(&node2.base);
    let (me, _) = person(&node1, "+79005553901").await;
    let x = org(&node1, "1027700132195", "Ромашка", &me).await;

    // The request and the login on node 1, the choice posted to node 2, the code redeemed on node 1.
    let b1 = Browser::new(&node1.base);
    let url = rp1.ac_url(&ac_params_org(&rp1, node1.app.clock.now(), &new_state()));
    let choice = choice_page(&b1, &url, "+79005553901").await;
    let on_node2 = format!("{}{}", node2.base, form_action(&choice));
    let consent = match b1
        .submit_follow(&choice, &on_node2, &[("org", &x.to_string())])
        .await
    {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let back = match b1
        .submit_follow(&consent, &form_action(&consent), &[("decision", "allow")])
        .await
    {
        Landing::Left(url) => url,
        other => panic!("{other:?}"),
    };
    let code = param(&back, "code").unwrap();
    let (status, body) = rp1
        .te(&rp1.code_form(node1.app.clock.now(), &code, SCOPE, PHP))
        .await;
    assert_eq!(status, 200, "{body}");
    let at = body["access_token"].as_str().unwrap();
    let (status, emps) = rs_get(&node2, Some(at), &format!("/rs/orgs/{x}/emps")).await;
    assert_eq!(status, 200, "the chief reads /emps on node 2: {emps}");

    // client_credentials: allowed on node 1, issued on node 2, revoked on node 2, refused on node 1.
    vhod::orgs::allowances::allow(&node1.app, &me, x, FLOW_PORTAL)
        .await
        .unwrap();
    let scope = org_items(&["org_shortname"], x);
    let (status, body) = rp2
        .te(&rp2.client_credentials_form(node2.app.clock.now(), &scope, PHP))
        .await;
    assert_eq!(status, 200, "{body}");
    let cc = body["access_token"].as_str().unwrap();
    assert_eq!(
        rs_get(&node1, Some(cc), &format!("/rs/orgs/{x}")).await.0,
        200
    );
    vhod::orgs::allowances::revoke(&node2.app, &me, x, FLOW_PORTAL)
        .await
        .unwrap();
    assert_eq!(
        rs_get(&node1, Some(cc), &format!("/rs/orgs/{x}")).await.0,
        401
    );
}
