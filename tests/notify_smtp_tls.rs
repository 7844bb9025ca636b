//! E-mail to a relay over TLS (issue 15, Operate 4): aiosmtpd (`common/smtp_sink.rs`) with a
//! certificate of a test CA made here, once requiring STARTTLS and once speaking implicit TLS;
//! vhod trusts that CA through `email.ca_file` and the message arrives over TLS with its Russian
//! subject intact. With a CA the relay's certificate does not chain to, nothing is sent: the
//! message stays queued with the TLS error recorded, and a node that trusts the right CA delivers
//! it later — nothing is lost.

mod common;
#[path = "common/smtp_sink.rs"]
mod smtp_sink;
#[path = "common/tls_pki.rs"]
mod tls_pki;

use common::*;
use smtp_sink::*;
use std::path::Path;
use std::time::Duration;
use tls_pki::Pki;
use vhod::types::Contact;

const SUBJECT: &str = "Вход на портал: код подтверждения";
const BODY: &str = "Ваш код: 739104. Никому его не сообщайте.";
const FAILED: &str = r#"vhod_email_deliveries_total{result="failed"}"#;

fn smtp_config(backend: &Backend, port: u16, security: &str, ca: &Path) -> vhod::config::Config {
    let mut config = test_config(backend);
    config.email.transport = "smtp".into();
    config.email.host = "127.0.0.1".into();
    config.email.port = port;
    config.email.security = security.into();
    config.email.ca_file = ca.display().to_string();
    config.email.from = "Вход на портал <noreply@vhod.example>".into();
    config.email.timeout_secs = 3;
    config
}

async fn wait_for_mail(out: &Path) -> Vec<serde_json::Value> {
    for _ in 0..75 {
        let got = received(out);
        if !got.is_empty() {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Vec::new()
}

#[tokio::test]
async fn mail_reaches_a_relay_over_starttls_and_over_implicit_tls_trusting_the_configured_ca() {
    let pki = Pki::new("relay");
    let (cert, key) = (pki.file("server.pem"), pki.file("server.key"));
    for backend in backends() {
        for security in ["starttls", "tls"] {
            let port = free_port();
            let out = pki.file(&format!("{security}-{}.jsonl", backend.name()));
            let mode = match security {
                "starttls" => Mode::StartTls {
                    cert: &cert,
                    key: &key,
                },
                _ => Mode::Tls {
                    cert: &cert,
                    key: &key,
                },
            };
            let _sink = Sink::start_with(port, &out, mode);
            let config = smtp_config(&backend, port, security, &pki.file("ca.pem"));
            let t = TestServer::start_with(&backend, config).await;
            let to = Contact::parse("petrova@example.org").unwrap();
            t.app.notifier.send(&to, SUBJECT, BODY).await.unwrap();
            let got = wait_for_mail(&out).await;
            let what = format!("{} over {security}", backend.name());
            assert_eq!(got.len(), 1, "{what}: delivered");
            let m = &got[0];
            assert_eq!(m["tls"], true, "{what}: the message travelled encrypted");
            assert_eq!(m["subject"], SUBJECT, "{what}: the Russian subject intact");
            assert_eq!(m["rcpt_tos"], serde_json::json!(["petrova@example.org"]));
            assert_eq!(m["from"], "Вход на портал <noreply@vhod.example>");
            let body = m["body"].as_str().unwrap().replace("\r\n", "\n");
            assert_eq!(body.trim_end(), BODY, "{what}");
            let (depth, _) = t.app.store.job_queue_stats().await.unwrap();
            assert_eq!(depth, 0, "{what}: the job is done");
        }
    }
}

#[tokio::test]
async fn a_relay_certificate_of_another_ca_is_refused_and_the_message_stays_queued() {
    let pki = Pki::new("relay");
    let (cert, key) = (pki.file("server.pem"), pki.file("server.key"));
    for backend in backends() {
        for security in ["starttls", "tls"] {
            let port = free_port();
            let out = pki.file(&format!("wrong-{security}-{}.jsonl", backend.name()));
            let mode = match security {
                "starttls" => Mode::StartTls {
                    cert: &cert,
                    key: &key,
                },
                _ => Mode::Tls {
                    cert: &cert,
                    key: &key,
                },
            };
            let _sink = Sink::start_with(port, &out, mode);
            let what = format!("{} over {security}", backend.name());
            let config = smtp_config(&backend, port, security, &pki.file("other-ca.pem"));
            let t = TestServer::start_with(&backend, config.clone()).await;
            let failed_before = metric(&t.base, FAILED).await;
            let to = Contact::parse("sidorov@example.org").unwrap();
            t.app.notifier.send(&to, SUBJECT, BODY).await.unwrap();
            let mut job = None;
            for _ in 0..75 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let jobs = t.app.store.jobs_of_kind("email").await.unwrap();
                assert_eq!(jobs.len(), 1, "{what}: one message queued");
                if jobs[0].last_error.is_some() {
                    job = jobs.into_iter().next();
                    break;
                }
            }
            let job = job.unwrap_or_else(|| panic!("{what}: a delivery was tried"));
            assert!(
                metric(&t.base, FAILED).await > failed_before,
                "{what}: counted as failed"
            );
            assert!(
                received(&out).is_empty(),
                "{what}: nothing reached the relay"
            );
            assert!(job.done_at.is_none(), "{what}: still queued");
            let error = job.last_error.clone().unwrap_or_default();
            assert!(
                error.to_ascii_lowercase().contains("certificate"),
                "{what}: the TLS refusal is recorded: {error}"
            );
            drop(t);

            // A node trusting the relay's CA (same database) delivers the waiting message.
            let mut right = config;
            right.email.ca_file = pki.file("ca.pem").display().to_string();
            let t = TestServer::start_with(&backend, right).await;
            t.app.clock.advance(11);
            let got = wait_for_mail(&out).await;
            assert_eq!(got.len(), 1, "{what}: delivered once the CA is right");
            assert_eq!(got[0]["subject"], SUBJECT);
            assert_eq!(got[0]["tls"], true);
        }
    }
}

#[test]
fn a_ca_file_without_a_certificate_stops_the_node_at_start() {
    let pki = Pki::new("relay");
    let mut config = vhod::config::Config::defaults();
    config.email.transport = "smtp".into();
    config.email.host = "relay.example".into();
    config.email.ca_file = pki.file("server.key").display().to_string();
    let err = vhod::notify::smtp::Smtp::new(&config.email).unwrap_err();
    assert!(err.to_string().contains("email.ca_file"), "{err}");
    config.email.ca_file = pki.file("missing.pem").display().to_string();
    let err = vhod::notify::smtp::Smtp::new(&config.email).unwrap_err();
    assert!(err.to_string().contains("email.ca_file"), "{err}");
    config.email.ca_file = pki.file("ca.pem").display().to_string();
    assert!(vhod::notify::smtp::Smtp::new(&config.email).is_ok());
}
