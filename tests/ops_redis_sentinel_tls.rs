//! Redis behind Sentinel with TLS everywhere: a master, its replica and a sentinel that speak
//! only TLS and ask for a client certificate of the test CA (redis-servers this test starts,
//! `tls-replication yes` between them). A node whose `cache.sentinels` is a `rediss://` URL asks
//! the sentinel over TLS with the cache's CA and client certificate, signs a citizen in on the
//! master it names, and after a switchover its new entries go to the new master.
//!
//! Needs redis-server (Debian's, built with TLS; `--sentinel` runs it as a sentinel).

mod common;
#[path = "common/tls_pki.rs"]
mod tls_pki;

use common::*;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tls_pki::Pki;

const REDIRECT: &str = "https://portal.example/cb";
const GROUP: &str = "vhod-tls-master";

/// A TLS connection to the server on `port`, with the test CA and its client certificate. A
/// server that has just changed role may drop a new connection mid-handshake ("broken pipe",
/// seen once in CI): the test's own look at it tries again for up to two seconds.
async fn connection(pki: &Pki, port: u16) -> redis::aio::MultiplexedConnection {
    let read = |name: &str| std::fs::read(pki.file(name)).unwrap();
    let client = redis::Client::build_with_tls(
        format!("rediss://127.0.0.1:{port}"),
        redis::TlsCertificates {
            client_tls: Some(redis::ClientTlsConfig {
                client_cert: read("client.pem"),
                client_key: read("client.key"),
            }),
            root_cert: Some(read("ca.pem")),
        },
    )
    .unwrap();
    let mut tries = 0;
    loop {
        match client.get_multiplexed_async_connection().await {
            Ok(c) => return c,
            Err(e) if tries < 20 => {
                tries += 1;
                eprintln!("connecting to {port} again after: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("no connection to {port}: {e}"),
        }
    }
}

async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..300 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} within 15 s");
}

/// A master, its replica and a sentinel, TLS only; killed on drop.
struct Group {
    pki: Pki,
    master: u16,
    replica: u16,
    sentinel: u16,
    children: Vec<std::process::Child>,
    dir: std::path::PathBuf,
}

impl Group {
    fn tls_args(&self) -> Vec<String> {
        [
            ("tls-cert-file", self.pki.path("server.pem")),
            ("tls-key-file", self.pki.path("server.key")),
            ("tls-ca-cert-file", self.pki.path("ca.pem")),
            ("tls-auth-clients", "yes".into()),
            ("tls-replication", "yes".into()),
            ("bind", "127.0.0.1".into()),
            ("port", "0".into()),
            ("dir", self.dir.display().to_string()),
        ]
        .into_iter()
        .flat_map(|(k, v)| [format!("--{k}"), v])
        .collect()
    }

    fn spawn(&mut self, args: Vec<String>) {
        self.children.push(
            std::process::Command::new("redis-server")
                .args(args)
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("redis-server is installed (apt-get install redis-server)"),
        );
    }

    async fn start() -> Group {
        let (master, replica, sentinel) = (free_port(), free_port(), free_port());
        let dir = std::env::temp_dir().join(format!("vhod-sentinel-tls-{sentinel}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut g = Group {
            pki: Pki::new("sentinel"),
            master,
            replica,
            sentinel,
            children: vec![],
            dir,
        };
        let plain = ["--save", "", "--appendonly", "no"].map(String::from);
        let mut args = g.tls_args();
        args.extend(["--tls-port".into(), master.to_string()]);
        args.extend(plain.clone());
        g.spawn(args);
        let mut args = g.tls_args();
        args.extend(["--tls-port".into(), replica.to_string()]);
        args.extend(["--replicaof".into(), "127.0.0.1".into(), master.to_string()]);
        args.extend(plain);
        g.spawn(args);
        let pki = &g.pki;
        until("the replica connected to its master over TLS", async || {
            if std::net::TcpStream::connect(("127.0.0.1", master)).is_err() {
                return false;
            }
            let info: String = redis::cmd("INFO")
                .arg("replication")
                .query_async(&mut connection(pki, master).await)
                .await
                .unwrap();
            info.contains("connected_slaves:1")
        })
        .await;
        let conf = g.dir.join("sentinel.conf");
        let tls: Vec<String> = g
            .tls_args()
            .chunks(2)
            .map(|kv| format!("{} {}", kv[0].trim_start_matches("--"), kv[1]))
            .collect();
        std::fs::write(
            &conf,
            format!(
                "{}\ntls-port {sentinel}\n\
                 sentinel monitor {GROUP} 127.0.0.1 {master} 1\n\
                 sentinel down-after-milliseconds {GROUP} 500\n\
                 sentinel failover-timeout {GROUP} 5000\n",
                tls.join("\n")
            ),
        )
        .unwrap();
        g.spawn(vec![conf.display().to_string(), "--sentinel".into()]);
        let pki = &g.pki;
        until("the sentinel knows the replica", async || {
            if std::net::TcpStream::connect(("127.0.0.1", sentinel)).is_err() {
                return false;
            }
            let replicas: Vec<HashMap<String, String>> = redis::cmd("SENTINEL")
                .arg("REPLICAS")
                .arg(GROUP)
                .query_async(&mut connection(pki, sentinel).await)
                .await
                .unwrap();
            replicas.iter().any(|r| {
                r.get("flags").map(String::as_str) == Some("slave")
                    && r.get("master-link-status").map(String::as_str) == Some("ok")
            })
        })
        .await;
        g
    }

    async fn keys(&self, port: u16, prefix: &str) -> HashSet<String> {
        redis::cmd("KEYS")
            .arg(format!("{prefix}*"))
            .query_async(&mut connection(&self.pki, port).await)
            .await
            .unwrap()
    }

    async fn role(&self, port: u16) -> String {
        let answer: Vec<redis::Value> = redis::cmd("ROLE")
            .query_async(&mut connection(&self.pki, port).await)
            .await
            .unwrap();
        redis::from_redis_value(answer[0].clone()).unwrap()
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn a_node_asks_a_sentinel_over_tls_and_follows_a_switchover_on_tls_servers() {
    let group = Group::start().await;
    let mut config = test_config(&Backend::Sqlite);
    // The host and port are the master's as the sentinel names it; the scheme says TLS.
    config.cache.url = "rediss://the-sentinel-names-it".into();
    config.cache.sentinels = format!("rediss://127.0.0.1:{}", group.sentinel);
    config.cache.sentinel_master = GROUP.into();
    config.cache.ca_file = group.pki.path("ca.pem");
    config.cache.client_cert_file = group.pki.path("client.pem");
    config.cache.client_key_file = group.pki.path("client.key");
    config.cache.prefix = format!("vhod-sentinel-tls-{}:", group.sentinel);
    let prefix = config.cache.prefix.clone();
    let t = TestServer::start_with(&Backend::Sqlite, config).await;
    let (client_id, _) = t.add_client(REDIRECT, false).await;
    t.add_person("tls-sentinel@example.org").await;
    assert_eq!(
        login::password_status(&Browser::new(&t.base), "tls-sentinel@example.org", PASSWORD).await,
        303,
        "a sign-in through the master a TLS sentinel names"
    );
    // An authorization request leaves its login transaction in the cache.
    assert!(matches!(
        authorize_timed(&t.base, &client_id, REDIRECT).await.0,
        200 | 302 | 303
    ));
    assert!(
        !group.keys(group.master, &prefix).await.is_empty(),
        "the node's entries are on the master"
    );

    let _: () = redis::cmd("SENTINEL")
        .arg("FAILOVER")
        .arg(GROUP)
        .query_async(&mut connection(&group.pki, group.sentinel).await)
        .await
        .unwrap();
    let started = Instant::now();
    while group.role(group.replica).await != "master" {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the sentinel promoted the replica"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let replicated = group.keys(group.replica, &prefix).await;
    loop {
        // Until the node has moved, its writes go to the old master (or are refused there once it
        // is demoted): a login transaction that is new on the new master went there.
        let (status, _, _) = authorize_timed(&t.base, &client_id, REDIRECT).await;
        let fresh = group.keys(group.replica, &prefix).await;
        if status != 503 && fresh.difference(&replicated).next().is_some() {
            break;
        }
        assert!(
            matches!(status, 200 | 302 | 303 | 503),
            "an authorization request during the switchover succeeds or answers 503: {status}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the node writes to the new master within 20 s of the switchover"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        login::password_status(&Browser::new(&t.base), "tls-sentinel@example.org", PASSWORD).await,
        303,
        "a whole sign-in on the new master"
    );
}
