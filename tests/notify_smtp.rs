//! E-mail over SMTP against a real SMTP server (Python's aiosmtpd, `common/smtp_sink.rs`): the
//! message arrives with the right From, To and Subject, the Russian subject RFC 2047-encoded and decoded back by Python's parser, the body
//! UTF-8; while the relay is down the message waits in the job table and is delivered once it is
//! back, after the backoff.

mod common;
#[path = "common/smtp_sink.rs"]
mod smtp_sink;

use common::*;
use smtp_sink::*;
use std::time::Duration;
use vhod::types::Contact;

const SUBJECT: &str = "Код подтверждения — вход на портал";
const BODY: &str = "Ваш код: 482913. Никому его не сообщайте.\nЁлки-палки, это UTF-8.";

#[tokio::test]
async fn mail_waits_while_the_relay_is_down_and_arrives_with_encoded_russian_headers() {
    for backend in backends() {
        let port = free_port();
        let out = std::env::temp_dir().join(format!("vhod-smtp-{}.jsonl", uuid::Uuid::now_v7()));
        let mut config = test_config(&backend);
        config.email.transport = "smtp".into();
        config.email.host = "127.0.0.1".into();
        config.email.port = port;
        config.email.security = "none".into();
        config.email.from = "Вход на портал <noreply@vhod.example>".into();
        config.email.timeout_secs = 2;
        let t = TestServer::start_with(&backend, config).await;
        let to = Contact::parse("ivanov@example.org").unwrap();
        let failed_metric = r#"vhod_email_deliveries_total{result="failed"}"#;
        let failed_before = metric(&t.base, failed_metric).await;
        t.app.notifier.send(&to, SUBJECT, BODY).await.unwrap();
        // The relay is down: the worker (1 s tick) tries, fails, and keeps the message.
        let mut failed = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if metric(&t.base, failed_metric).await > failed_before {
                failed = true;
                break;
            }
        }
        assert!(failed, "{}: a delivery was attempted", backend.name());
        let (depth, _) = t.app.store.job_queue_stats().await.unwrap();
        assert_eq!(depth, 1, "the message waits in the job table");
        assert!(received(&out).is_empty());

        let _sink = Sink::start(port, &out);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(
            received(&out).is_empty(),
            "not retried before its backoff (10 s after the first attempt)"
        );
        t.app.clock.advance(11);
        let mut got = Vec::new();
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            got = received(&out);
            if !got.is_empty() {
                break;
            }
        }
        assert_eq!(
            got.len(),
            1,
            "{}: delivered once the relay is back",
            backend.name()
        );
        let m = &got[0];
        assert_eq!(m["rcpt_tos"], serde_json::json!(["ivanov@example.org"]));
        assert_eq!(m["mail_from"], "noreply@vhod.example");
        assert_eq!(m["to"], "ivanov@example.org");
        assert_eq!(m["from"], "Вход на портал <noreply@vhod.example>");
        assert_eq!(m["subject"], SUBJECT, "decoded back to the Russian subject");
        let raw = m["raw_subject"].as_str().unwrap();
        assert!(
            raw.to_ascii_lowercase().starts_with("=?utf-8?"),
            "the Subject header is RFC 2047-encoded: {raw}"
        );
        assert!(m["raw_is_ascii"].as_bool().unwrap(), "7-bit on the wire");
        assert_eq!(m["content_type"], "text/plain");
        assert_eq!(m["charset"], "utf-8");
        // Lines end in CRLF on the wire, as SMTP requires.
        let body = m["body"].as_str().unwrap().replace("\r\n", "\n");
        assert_eq!(body.trim_end(), BODY);
        // The relay has the message before the worker reads its final reply and ends the job:
        // the job goes soon after, not necessarily before the message is seen.
        within(
            Duration::from_secs(10),
            "the delivered job leaves the queue",
            || async { t.app.store.job_queue_stats().await.unwrap().0 == 0 },
        )
        .await;
        let _ = std::fs::remove_file(&out);
    }
}

#[test]
fn a_bad_relay_setting_stops_the_node_at_start() {
    let mut config = vhod::config::Config::defaults();
    config.email.transport = "smtp".into();
    config.email.host = "relay.example".into();
    config.email.security = "ssl3".into();
    let err = vhod::notify::smtp::Smtp::new(&config.email).unwrap_err();
    assert!(err.to_string().contains("email.security"), "{err}");
    config.email.security = "tls".into();
    config.email.from = "not a mailbox".into();
    let err = vhod::notify::smtp::Smtp::new(&config.email).unwrap_err();
    assert!(err.to_string().contains("email.from"), "{err}");
}
