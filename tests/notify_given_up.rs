//! A message that carried codes is not kept once the worker gives up on it, as a delivered one is
//! not: its payload is erased with the give-up. Its own test binary: the e-mail tests of
//! notify_smtp.rs read the process-wide delivery metric, which this test's failure would move.

mod common;

use common::*;
use std::time::Duration;
use vhod::types::Contact;

const SUBJECT: &str = "Код подтверждения — вход на портал";
const BODY: &str = "Ваш код: 482913. Никому его не сообщайте.";

#[tokio::test]
async fn an_undelivered_message_is_not_kept_once_given_up() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.email.transport = "smtp".into();
        config.email.host = "127.0.0.1".into();
        config.email.port = free_port();
        config.email.security = "none".into();
        config.email.from = "noreply@vhod.example".into();
        config.email.timeout_secs = 2;
        config.email.max_attempts = 1;
        let t = TestServer::start_with(&backend, config).await;
        let to = Contact::parse("petrov@example.org").unwrap();
        t.app.notifier.send(&to, SUBJECT, BODY).await.unwrap();
        let queued = t.app.store.jobs_of_kind("email").await.unwrap();
        assert_eq!(queued.len(), 1);
        assert!(queued[0].payload.contains("482913"), "queued with its code");
        // The relay never answers: one attempt, and the worker gives up.
        let mut job = None;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let jobs = t.app.store.jobs_of_kind("email").await.unwrap();
            if jobs[0].done_at.is_some() {
                job = Some(jobs[0].clone());
                break;
            }
        }
        let job = job.unwrap_or_else(|| panic!("{}: the worker gave up", backend.name()));
        assert_eq!(job.failed, 1, "{}", backend.name());
        assert_eq!(
            job.payload,
            "{}",
            "{}: the code is not kept",
            backend.name()
        );
    }
}
