//! ASVS V2.2.2 / V2.5.6, user enumeration by timing: an unknown account must cost the same argon2
//! work as a known one, at login (wrong password, locked), registration, recovery and
//! invitations. Asserted structurally — the password pool counts its argon2 computations
//! (`PasswordHasherPool::argon2_runs`), no wall clock — together with the same status and body.

use crate::common::login::*;
use crate::common::*;
use crate::orgs_support::*;
use vhod::orgs::members::{self, Invitee};
use vhod::orgs::{Role, create};

/// The page without per-request values (CSRF, transaction, proof of work) and without `login`.
fn comparable(html: &str, login: &str) -> String {
    html.replace(login, "LOGIN")
        .lines()
        .filter(|l| !l.contains("csrf") && !l.contains("name=\"tx\"") && !l.contains("pow_"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `step` cost in argon2 computations, and what it answered.
async fn cost<F, T>(t: &TestServer, step: F) -> (u64, T)
where
    F: std::future::Future<Output = T>,
{
    let before = t.app.passwords.argon2_runs();
    let out = step.await;
    (t.app.passwords.argon2_runs() - before, out)
}

#[tokio::test]
async fn asvs_v2_2_2_timing_login_costs_one_argon2_for_known_and_unknown_logins() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("timing.known@example.org").await;
        let (known, (s1, h1)) = cost(
            &t,
            password_login(
                &Browser::new(&t.base),
                "timing.known@example.org",
                "Wrong-Pass-1!",
            ),
        )
        .await;
        let (unknown, (s2, h2)) = cost(
            &t,
            password_login(
                &Browser::new(&t.base),
                "timing.nobody@example.org",
                "Wrong-Pass-1!",
            ),
        )
        .await;
        // Something no contact can be: still one verification.
        let (garbage, (s3, _)) = cost(
            &t,
            password_login(&Browser::new(&t.base), "не логин", "Wrong-Pass-1!"),
        )
        .await;
        assert_eq!((known, unknown, garbage), (1, 1, 1), "{}", backend.name());
        assert_eq!((s1, s2, s3), (401, 401, 401));
        assert_eq!(
            comparable(&h1, "timing.known@example.org"),
            comparable(&h2, "timing.nobody@example.org")
        );
    }
}

#[tokio::test]
async fn asvs_v2_2_2_timing_a_locked_account_costs_the_same_argon2_as_a_locked_unknown_login() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("timing.locked@example.org").await;
        let limit = t.app.config.login.lock_after_failures as usize;
        fail_passwords(&Browser::new(&t.base), "timing.locked@example.org", limit).await;
        fail_passwords(&Browser::new(&t.base), "timing.ghost@example.org", limit).await;
        let (known, (s1, _)) = cost(
            &t,
            password_login(
                &Browser::new(&t.base),
                "timing.locked@example.org",
                PASSWORD,
            ),
        )
        .await;
        let (unknown, (s2, _)) = cost(
            &t,
            password_login(&Browser::new(&t.base), "timing.ghost@example.org", PASSWORD),
        )
        .await;
        assert_eq!(known, unknown, "{}", backend.name());
        assert!(known >= 1, "a locked login still verifies: {known}");
        assert_eq!(s1, s2);
    }
}

/// Submits a form of `page_path` at `action` in a fresh browser: (status, Location path).
async fn submit(
    t: &TestServer,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let b = Browser::new(&t.base);
    let form = page_at(&b, page_path).await;
    let res = b.submit(&form, action, fields).await;
    let path = location(&res).unwrap_or_default();
    let path = path.split('?').next().unwrap().to_string();
    (res.status().as_u16(), path)
}

#[tokio::test]
async fn asvs_v2_2_2_timing_registration_costs_the_same_for_a_taken_and_a_free_contact() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001238001").await;
        let form = |c: &'static str| [("surname", "Петров"), ("name", "Пётр"), ("contact", c)];
        let (taken, a) = cost(
            &t,
            submit(&t, "/register", "/register", &form("+79001238001")),
        )
        .await;
        let (free, b) = cost(
            &t,
            submit(&t, "/register", "/register", &form("+79001238002")),
        )
        .await;
        assert_eq!(taken, free, "{}", backend.name());
        assert_eq!(a, b);
        assert_eq!(a, (303, "/register/confirm".to_string()));
    }
}

#[tokio::test]
async fn asvs_v2_5_6_timing_recovery_costs_the_same_for_a_known_and_an_unknown_login() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("timing.recover@example.org").await;
        let (known, a) = cost(
            &t,
            submit(
                &t,
                "/recover",
                "/recover",
                &[("login", "timing.recover@example.org")],
            ),
        )
        .await;
        let (unknown, b) = cost(
            &t,
            submit(
                &t,
                "/recover",
                "/recover",
                &[("login", "timing.stranger@example.org")],
            ),
        )
        .await;
        assert_eq!(known, unknown, "{}", backend.name());
        assert_eq!(a, b);
        assert_eq!(a.0, 303);
    }
}

#[tokio::test]
async fn asvs_v2_2_2_timing_an_invitation_does_not_tell_whether_the_invitee_has_an_account() {
    for backend in backends() {
        let w = world(&backend).await;
        let t = &w.t;
        let chief = confirmed(t, "timing.chief@example.org", &snils("112233445")).await;
        let created = create::sole_trader(
            &t.app,
            &chief,
            &ogrnip("30450011600012"),
            &inn12("5001007320"),
        )
        .await
        .unwrap();
        let oid = created.org().oid;
        t.add_person("timing.member@example.org").await;
        let mut answers = Vec::new();
        for contact in ["timing.member@example.org", "timing.outsider@example.org"] {
            let invitee = Invitee::parse(contact).unwrap();
            let (runs, inv) = cost(
                t,
                members::invite(&t.app, &chief, oid, &invitee, Role::Employee),
            )
            .await;
            let inv = inv.unwrap();
            let sent = t.app.store.outbox(Some(contact), 10).await.unwrap().len();
            answers.push((runs, inv.invitee_masked.len(), inv.role, sent));
        }
        assert_eq!(answers[0], answers[1], "{}", backend.name());
        assert_eq!(answers[0].3, 1, "each invitee is told by e-mail");
    }
}
