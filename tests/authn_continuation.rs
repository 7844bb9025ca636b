//! The continuation of a pending authorization request (`authn::continuation::next`), called as
//! the protocol surfaces call it, on the store and cache of a started app: the organisation choice
//! comes before consent, no code while consent is needed, the login transaction is saved while a
//! page is shown and deleted when a code is issued or no organisation fits, and nothing is saved
//! when pages are forbidden. Both backends.

mod common;

use common::*;
use std::cell::Cell;
use vhod::authn::continuation::{self, Interaction, Next, Page};
use vhod::authn::login_tx::{self, AuthRequest, Protocol};
use vhod::authn::org_choice::{self, OrgRequest};
use vhod::lang::Lang;
use vhod::store::StoreError;
use vhod::store::sessions::{NewSession, SessionRow};

fn request(t: &TestServer, org: OrgRequest) -> AuthRequest {
    AuthRequest {
        client_id: "portal-gkh".into(),
        client_name: "Личный кабинет ЖКХ".into(),
        redirect_uri: "https://gkh.example.org/cb".into(),
        scopes: vec!["openid".into(), "fullname".into()],
        state: Some("s1".into()),
        nonce: None,
        code_challenge: None,
        prompt: vec![],
        max_age: None,
        login_hint: None,
        lang: Lang::Ru,
        created_at: t.app.clock.now(),
        needs_fresh_login: false,
        claims: None,
        acr_values: vec![],
        hint_sub: None,
        sector: None,
        min_level: String::new(),
        required_acr: String::new(),
        protocol: Protocol::Oidc,
        org,
    }
}

async fn signed_in(t: &TestServer, contact: &str) -> SessionRow {
    let account = t.add_person(contact).await;
    t.app
        .store
        .create_session(NewSession {
            id_hash: &format!("session-of-{contact}"),
            account_id: &account,
            acr: vhod::authn::ACR_LOW,
            amr: r#"["pwd"]"#,
            persistent: false,
            user_agent: "test",
            ip: "127.0.0.1",
            ttl: 3600,
        })
        .await
        .unwrap()
}

/// Runs the continuation with a consent check answering `consent`, counting how often it is asked.
async fn next(
    t: &TestServer,
    req: &mut AuthRequest,
    session: &SessionRow,
    tx: Option<&str>,
    interaction: Interaction,
    consent: bool,
    asked: &Cell<u32>,
) -> Next {
    continuation::next(
        &t.app,
        req,
        Some(session.clone()),
        tx,
        interaction,
        async |_: &AuthRequest, _: &SessionRow| -> Result<bool, StoreError> {
            asked.set(asked.get() + 1);
            Ok(consent)
        },
    )
    .await
    .unwrap()
}

async fn pending(t: &TestServer, tx: &str) -> Option<AuthRequest> {
    login_tx::load_tx(&t.app, tx).await.unwrap()
}

#[tokio::test]
async fn the_organisation_is_chosen_before_consent_is_asked() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let me = signed_in(&t, "boss@example.org").await;
        let oid = t.add_org(ROMASHKA, &me.account_id).await;
        let mut req = request(&t, OrgRequest::ask(false, vec![], vec![]));
        let asked = Cell::new(0);

        let first = next(&t, &mut req, &me, None, Interaction::Allowed, true, &asked).await;
        let Next::ChooseOrganisation { tx } = first else {
            panic!(
                "{}: expected the organisation choice, got {first:?}",
                backend.name()
            );
        };
        assert_eq!(asked.get(), 0, "consent is not asked before the choice");
        assert!(pending(&t, &tx).await.is_some(), "the request waits as tx");

        let mut req = org_choice::choose(&t.app, &tx, &me.account_id, Some(oid))
            .await
            .unwrap();
        let second = next(
            &t,
            &mut req,
            &me,
            Some(&tx),
            Interaction::Allowed,
            true,
            &asked,
        )
        .await;
        match second {
            Next::Consent {
                tx: waiting,
                session,
                org,
            } => {
                assert_eq!(waiting, tx, "the same transaction waits for consent");
                assert_eq!(session.account_id, me.account_id);
                assert_eq!(org, Some(oid));
            }
            other => panic!("{}: expected consent, got {other:?}", backend.name()),
        }
        assert_eq!(asked.get(), 1);
        assert!(
            pending(&t, &tx).await.is_some(),
            "consent keeps the request"
        );
    }
}

#[tokio::test]
async fn no_code_while_consent_is_needed_and_the_code_ends_the_transaction() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let me = signed_in(&t, "ivan@example.org").await;
        let mut req = request(&t, OrgRequest::default());
        let asked = Cell::new(0);

        let first = next(&t, &mut req, &me, None, Interaction::Allowed, true, &asked).await;
        let Next::Consent { tx, org, .. } = first else {
            panic!("{}: expected consent, got {first:?}", backend.name());
        };
        assert_eq!(org, None, "no organisation was asked for");
        assert!(pending(&t, &tx).await.is_some(), "the request waits as tx");

        let again = next(
            &t,
            &mut req,
            &me,
            Some(&tx),
            Interaction::Allowed,
            true,
            &asked,
        )
        .await;
        assert!(
            matches!(&again, Next::Consent { tx: same, .. } if *same == tx),
            "{}: still consent on the same transaction, got {again:?}",
            backend.name()
        );

        let done = next(
            &t,
            &mut req,
            &me,
            Some(&tx),
            Interaction::Allowed,
            false,
            &asked,
        )
        .await;
        match done {
            Next::Code { session, org } => {
                assert_eq!(session.account_id, me.account_id);
                assert_eq!(org, None);
            }
            other => panic!("{}: expected the code, got {other:?}", backend.name()),
        }
        assert!(
            pending(&t, &tx).await.is_none(),
            "the code ends the request"
        );
        assert_eq!(asked.get(), 3);
    }
}

#[tokio::test]
async fn a_request_no_organisation_fits_ends_without_asking_consent() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let me = signed_in(&t, "nobody@example.org").await;
        // The portal requires an organisation; the person has none.
        let mut req = request(&t, OrgRequest::ask(true, vec![], vec![]));
        let tx = login_tx::save_tx(&t.app, &req).await.unwrap();
        let asked = Cell::new(0);

        let next = next(
            &t,
            &mut req,
            &me,
            Some(&tx),
            Interaction::Allowed,
            true,
            &asked,
        )
        .await;
        assert!(
            matches!(next, Next::NoOrganisation),
            "{}: expected no organisation, got {next:?}",
            backend.name()
        );
        assert_eq!(asked.get(), 0);
        assert!(pending(&t, &tx).await.is_none(), "the request is over");
    }
}

#[tokio::test]
async fn with_pages_forbidden_the_missing_page_is_named_instead() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let me = signed_in(&t, "boss@example.org").await;
        t.add_org(ROMASHKA, &me.account_id).await;
        let asked = Cell::new(0);

        let mut choosing = request(&t, OrgRequest::ask(false, vec![], vec![]));
        let first = next(
            &t,
            &mut choosing,
            &me,
            None,
            Interaction::Forbidden,
            true,
            &asked,
        )
        .await;
        assert!(
            matches!(first, Next::InteractionRequired(Page::OrganisationChoice)),
            "{}: got {first:?}",
            backend.name()
        );
        assert_eq!(asked.get(), 0);

        let mut consenting = request(&t, OrgRequest::default());
        let second = next(
            &t,
            &mut consenting,
            &me,
            None,
            Interaction::Forbidden,
            true,
            &asked,
        )
        .await;
        assert!(
            matches!(second, Next::InteractionRequired(Page::Consent)),
            "{}: got {second:?}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn without_a_session_the_request_waits_for_the_login() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let mut req = request(&t, OrgRequest::default());
        let login = continuation::next(
            &t.app,
            &mut req,
            None,
            None,
            Interaction::Allowed,
            async |_: &AuthRequest, _: &SessionRow| -> Result<bool, StoreError> { Ok(false) },
        )
        .await
        .unwrap();
        let Next::Login { tx } = login else {
            panic!("{}: expected the login, got {login:?}", backend.name());
        };
        assert_eq!(
            pending(&t, &tx).await.map(|r| r.client_id.to_string()),
            Some("portal-gkh".to_string())
        );
    }
}
