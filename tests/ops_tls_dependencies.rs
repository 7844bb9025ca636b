//! The dependencies over TLS, as a production network wants them: Redis at a rediss:// URL that
//! requires a password and a client certificate (a redis-server this test starts with TLS only,
//! on a CA made here), and PostgreSQL with `sslmode=verify-full` (the machine's server, whose
//! certificate is Debian's self-signed one for localhost). A node serves a portal's whole sign-in
//! through them; a certificate that does not chain to the CA it trusts, a missing client
//! certificate, or TLS files with a redis:// URL stop the node at start with a message that names
//! the cause — and never the password.
//!
//! Needs redis-server (Debian's, built with TLS) and PostgreSQL with ssl on: TEST_DATABASE_URL,
//! or postgres://postgres@127.0.0.1:5432/test by default.

mod common;
#[path = "common/tls_pki.rs"]
mod tls_pki;

use common::*;
use sqlx::Connection;
use std::time::Duration;
use tls_pki::Pki;
use vhod::clock::Clock;
use vhod::config::Config;

const REDIS_PASSWORD: &str = "tls-redis-Pa55word";

/// A redis-server that speaks only TLS, asks for a client certificate of the test CA and a
/// password; stopped on drop.
struct TlsRedis {
    port: u16,
    child: std::process::Child,
}

impl TlsRedis {
    async fn start(pki: &Pki) -> TlsRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let redis = TlsRedis {
            port,
            child: std::process::Command::new("redis-server")
                .args(["--port", "0", "--bind", "127.0.0.1"])
                .args(["--tls-port", &port.to_string()])
                .args(["--tls-cert-file", &pki.path("server.pem")])
                .args(["--tls-key-file", &pki.path("server.key")])
                .args(["--tls-ca-cert-file", &pki.path("ca.pem")])
                .args(["--tls-auth-clients", "yes"])
                .args(["--requirepass", REDIS_PASSWORD])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("redis-server (Debian's redis-server package) is installed"),
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return redis;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server with TLS did not listen on {port}");
    }

    fn url(&self) -> String {
        format!("rediss://:{REDIS_PASSWORD}@localhost:{}", self.port)
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn postgres_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// `TEST_DATABASE_URL` at `localhost` (the name in the server's certificate), verifying the
/// server's certificate against `root`, with an application name to find the node's connections.
fn postgres_tls_url(root: &str, application: &str) -> String {
    let mut u = url::Url::parse(&postgres_url()).unwrap();
    u.set_host(Some("localhost")).unwrap();
    u.query_pairs_mut()
        .append_pair("sslmode", "verify-full")
        .append_pair("sslrootcert", root)
        .append_pair("application_name", application);
    u.to_string()
}

/// A node's configuration on PostgreSQL (own schema) and `redis` over TLS with every file set.
fn tls_config(pki: &Pki, redis: &TlsRedis, application: &str) -> Config {
    let mut c = test_config(&Backend::Sqlite);
    c.database.url = postgres_tls_url("/etc/ssl/certs/ssl-cert-snakeoil.pem", application);
    c.database.schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    c.database.max_connections = 4;
    c.cache.url = redis.url();
    c.cache.prefix = format!("test:{}:", uuid::Uuid::now_v7().simple());
    c.cache.ca_file = pki.path("ca.pem");
    c.cache.client_cert_file = pki.path("client.pem");
    c.cache.client_key_file = pki.path("client.key");
    c
}

/// The node refuses to start on `config`; its one-line error.
async fn refused(config: Config) -> String {
    match vhod::build_app(config, Clock::default()).await {
        Ok(_) => panic!("the node started"),
        Err(e) => format!("{e:#}"),
    }
}

#[tokio::test]
async fn a_sign_in_runs_over_tls_to_redis_and_postgres_and_a_wrong_certificate_stops_the_node() {
    let pki = Pki::new("redis");
    let redis = TlsRedis::start(&pki).await;
    let application = format!("vhod-tls-{}", uuid::Uuid::now_v7().simple());
    let t = TestServer::start_with(&Backend::Sqlite, tls_config(&pki, &redis, &application)).await;

    let ready = reqwest::get(format!("{}/readyz", t.base)).await.unwrap();
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(
        (&ready["database"], &ready["cache"]),
        (&"ok".into(), &"ok".into()),
        "{ready}"
    );

    // A portal's sign-in: the login transaction and the code live in Redis, the person, the
    // consent and the grant in PostgreSQL.
    t.add_person("tls@example.org").await;
    let (client_id, secret) = t.add_client(REDIRECT, false).await;
    let b = Browser::new(&t.base);
    let (code, verifier) = obtain_code(&t, &b, &client_id, "tls@example.org").await;
    let (status, tokens) = redeem(&t, &client_id, &secret.unwrap(), &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let (status, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{info}");

    // Every connection of the node to PostgreSQL is encrypted.
    let mut pg = sqlx::PgConnection::connect(&postgres_url()).await.unwrap();
    let links: Vec<bool> = sqlx::query_scalar(
        "SELECT s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
         WHERE a.application_name = $1",
    )
    .bind(&application)
    .fetch_all(&mut pg)
    .await
    .unwrap();
    assert!(!links.is_empty(), "the node's connections are found");
    assert!(links.iter().all(|ssl| *ssl), "over TLS: {links:?}");
    drop(t);

    // Redis's certificate does not chain to the CA the node trusts.
    let mut wrong_ca = tls_config(&pki, &redis, &application);
    wrong_ca.cache.ca_file = pki.path("other-ca.pem");
    let why = refused(wrong_ca).await;
    assert!(why.contains("rediss://"), "names the cache: {why}");
    assert!(
        why.to_lowercase().contains("certificate"),
        "says why: {why}"
    );
    assert!(!why.contains(REDIS_PASSWORD), "never the password: {why}");

    // Redis asks for a client certificate and the node has none.
    let mut no_client = tls_config(&pki, &redis, &application);
    no_client.cache.client_cert_file.clear();
    no_client.cache.client_key_file.clear();
    let why = refused(no_client).await;
    assert!(why.contains("rediss://"), "{why}");
    assert!(!why.contains(REDIS_PASSWORD), "never the password: {why}");

    // TLS files with a redis:// URL: the operator asked for encryption and would not get it.
    let mut plain = tls_config(&pki, &redis, &application);
    plain.cache.url = plain.cache.url.replacen("rediss://", "redis://", 1);
    let why = refused(plain).await;
    assert!(why.contains("would not be encrypted"), "{why}");
    assert!(
        why.contains("cache settings"),
        "a setting, not an outage: {why}"
    );
    assert!(!why.contains(REDIS_PASSWORD), "never the password: {why}");

    // rediss:// at a Redis that speaks no TLS there (the tests' own Redis): the handshake gets no
    // answer, and the message says where to look.
    let mut no_tls_port = tls_config(&pki, &redis, &application);
    let plain_redis =
        std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    no_tls_port.cache.url = plain_redis.replacen("redis://", "rediss://", 1);
    no_tls_port.cache.url = no_tls_port.cache.url.replacen("127.0.0.1", "localhost", 1);
    let why = refused(no_tls_port).await;
    assert!(why.contains("tls-port"), "{why}");

    // PostgreSQL's certificate does not chain to the CA the node trusts.
    let mut wrong_pg = tls_config(&pki, &redis, &application);
    wrong_pg.database.url = postgres_tls_url(&pki.path("ca.pem"), &application);
    let why = refused(wrong_pg).await;
    assert!(why.contains("cannot open database"), "{why}");
    assert!(
        why.to_lowercase().contains("certificate"),
        "says why: {why}"
    );
}
