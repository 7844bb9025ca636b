//! PostgreSQL with a standby, no proxy in front: `database.url` names both servers, as libpq
//! writes it (`postgres://…@primary:P1,standby:P2/db`). A node starts on whichever is the primary
//! (whatever the list's order); when the primary goes down, requests answer 503 with Retry-After
//! (bounded) until the standby is promoted, and then the node serves on the new primary by
//! itself, with no restart — what was committed before is there (synchronous replication). A
//! list with no primary stops the node at start with what each server said.
//!
//! Each test runs a throw-away primary and streaming standby of its own (initdb and
//! pg_basebackup from Debian's PostgreSQL, run as the postgres user when the test runs as root);
//! the machine's PostgreSQL on 5432 is not touched.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const REDIRECT: &str = "https://portal.example/cb";

/// A PostgreSQL server program of the newest version installed.
fn pg_tool(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (Debian's postgresql package)")
        .map(|e| e.unwrap().path().join("bin").join(name))
        .filter(|p| p.exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .unwrap_or_else(|| panic!("{name} is installed"))
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// Runs a PostgreSQL program (as the postgres user when this is root: the server refuses root).
fn pg(name: &str, args: &[&str]) {
    let tool = pg_tool(name);
    let out = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&tool)
            .args(args)
            .output()
    } else {
        Command::new(&tool).args(args).output()
    }
    .unwrap();
    assert!(
        out.status.success(),
        "{name} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A primary and its streaming standby on free ports, with synchronous commit (a commit is
/// acknowledged once the standby has it: a promotion loses nothing acknowledged). Both stopped on
/// drop.
struct Pair {
    dir: PathBuf,
    primary: u16,
    standby: u16,
}

impl Pair {
    fn data(&self, which: &str) -> String {
        self.dir.join(which).display().to_string()
    }

    fn start(&self, which: &str, port: u16, extra: &str) {
        let data = self.data(which);
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off {extra}",
            self.dir.display()
        );
        let log = format!("{data}.log");
        pg(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-w", "-t", "60", "-o", &options, "start",
            ],
        );
    }

    fn new() -> Pair {
        let (primary, standby) = (free_port(), free_port());
        let dir = std::env::temp_dir().join(format!("vhod-pg-failover-{primary}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["postgres:postgres", dir.to_str().unwrap()])
                .status()
                .unwrap();
            assert!(status.success());
        }
        let pair = Pair {
            dir,
            primary,
            standby,
        };
        pg(
            "initdb",
            &[
                "-D",
                &pair.data("primary"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        pair.start(
            "primary",
            primary,
            "-c wal_level=replica -c max_wal_senders=4 -c synchronous_standby_names=*",
        );
        pg(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &primary.to_string(),
                "-U",
                "postgres",
                "-D",
                &pair.data("standby"),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
            ],
        );
        pair.start("standby", standby, "");
        pair
    }

    fn stop(&self, which: &str) {
        pg(
            "pg_ctl",
            &["-D", &self.data(which), "-m", "immediate", "-w", "stop"],
        );
    }

    fn promote(&self) {
        pg("pg_ctl", &["-D", &self.data("standby"), "-w", "promote"]);
    }

    fn url(&self, ports: &[u16]) -> String {
        let hosts: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        format!("postgres://postgres@{}/postgres", hosts.join(","))
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for which in ["primary", "standby"] {
            let data = self.data(which);
            if Path::new(&data).join("postmaster.pid").exists() {
                let _ = std::panic::catch_unwind(|| {
                    pg("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"])
                });
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A node's settings on the servers `url` names (a schema of its own, the memory cache).
fn config_on(url: String) -> vhod::config::Config {
    let mut config = test_config(&Backend::Sqlite);
    config.database.url = url;
    config.database.schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    config.database.max_connections = 5;
    config.database.acquire_timeout_secs = 2;
    config
}

/// `/readyz`: (status, time to the answer).
async fn ready(base: &str) -> (u16, Duration) {
    let started = Instant::now();
    let status = reqwest::Client::new()
        .get(format!("{base}/readyz"))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    (status, started.elapsed())
}

#[tokio::test]
async fn a_node_follows_the_promoted_standby_when_the_primary_goes_down() {
    let pair = Pair::new();
    let config = config_on(pair.url(&[pair.primary, pair.standby]));
    let t = TestServer::start_with(&Backend::Sqlite, config).await;
    let (client_id, _) = t.add_client(REDIRECT, false).await;
    t.add_person("before@example.org").await;
    assert_eq!(
        login::password_status(&Browser::new(&t.base), "before@example.org", PASSWORD).await,
        303,
        "a sign-in on the primary"
    );

    let b = Browser::new(&t.base);
    let page = login::login_page(&b).await;
    pair.stop("primary");
    let started = Instant::now();
    let res = b
        .submit(
            &page,
            "/login",
            &[("login", "before@example.org"), ("password", PASSWORD)],
        )
        .await;
    let answer = (
        res.status().as_u16(),
        res.headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned()),
        started.elapsed(),
    );
    assert_unavailable(
        &answer,
        Duration::from_secs(4),
        "a sign-in with the primary down",
    );
    let (status, took) = ready(&t.base).await;
    assert_eq!(status, 503, "not ready with the primary down");
    assert!(took < Duration::from_secs(4), "answered in {took:?}");

    pair.promote();
    let started = Instant::now();
    let mut answers = vec![];
    loop {
        let (status, took) = ready(&t.base).await;
        assert!(
            took < Duration::from_secs(4),
            "answered in {took:?}, not hung"
        );
        answers.push(status);
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "only 503 until the node follows: {answers:?}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "ready again within 30 s of the promotion: {answers:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        login::password_status(&Browser::new(&t.base), "before@example.org", PASSWORD).await,
        303,
        "the account committed before the failover signs in on the promoted standby"
    );
    t.add_person("after@example.org").await;
    assert_eq!(
        login::password_status(&Browser::new(&t.base), "after@example.org", PASSWORD).await,
        303,
        "an account made after the failover (a write on the new primary) signs in, no restart"
    );
    assert!(matches!(
        authorize_timed(&t.base, &client_id, REDIRECT).await.0,
        200 | 302 | 303
    ));
    // At least: the switchover test in this process counts in the same registry.
    assert!(
        metric(&t.base, "vhod_database_primary_changes_total").await >= 1.0,
        "the node counted the move"
    );
}

#[tokio::test]
async fn a_node_starts_on_the_primary_whatever_the_order_and_refuses_a_list_without_one() {
    let pair = Pair::new();
    let config = config_on(pair.url(&[pair.standby, pair.primary]));
    let t = TestServer::start_with(&Backend::Sqlite, config).await;
    t.add_person("order@example.org").await;
    assert_eq!(
        login::password_status(&Browser::new(&t.base), "order@example.org", PASSWORD).await,
        303,
        "the standby listed first, the node works on the primary"
    );

    let closed = free_port();
    let config = config_on(pair.url(&[pair.standby, closed]));
    let Err(err) = vhod::build_app(config, vhod::clock::Clock::default()).await else {
        panic!("no primary in the list: the node does not start");
    };
    let err = err.to_string();
    assert!(
        err.contains("no server in database.url is the primary"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "127.0.0.1:{}: read-only (a standby)",
            pair.standby
        )),
        "names the standby: {err}"
    );
    assert!(
        err.contains(&format!("127.0.0.1:{closed}:")),
        "names the server that did not answer: {err}"
    );
}

/// A statement on the server at `port` itself.
async fn on_server(port: u16, sql: &str) -> Option<i64> {
    use sqlx::Connection;
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query_scalar(sql)
        .fetch_optional(&mut conn)
        .await
        .unwrap()
}

/// `n` password sign-ins of `login` at once (so the node opens several connections): statuses.
async fn sign_ins(base: &str, login: &str, n: usize) -> Vec<u16> {
    let browsers: Vec<Browser> = (0..n).map(|_| Browser::new(base)).collect();
    futures::future::join_all(
        browsers
            .iter()
            .map(|b| login::password_status(b, login, PASSWORD)),
    )
    .await
}

#[tokio::test]
async fn a_switchover_moves_every_connection_off_the_old_primary_left_running_read_only() {
    let pair = Pair::new();
    let t = TestServer::start_with(
        &Backend::Sqlite,
        config_on(pair.url(&[pair.primary, pair.standby])),
    )
    .await;
    t.add_person("switch@example.org").await;
    assert_eq!(
        sign_ins(&t.base, "switch@example.org", 5).await,
        [303; 5],
        "sign-ins on the primary, several connections open to it"
    );

    // A switchover: the primary stops taking writes (it keeps running and answering reads, and
    // the node's connections to it stay open), then the standby is promoted.
    on_server(
        pair.primary,
        "ALTER SYSTEM SET default_transaction_read_only = on",
    )
    .await;
    on_server(pair.primary, "SELECT pg_reload_conf()::int::int8").await;
    pair.promote();
    let started = Instant::now();
    loop {
        let status =
            login::password_status(&Browser::new(&t.base), "switch@example.org", PASSWORD).await;
        if status == 303 {
            break;
        }
        assert_eq!(status, 503, "a sign-in during the switchover: 503 or done");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the node moves within 15 s of the switchover"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // No connection to the old server is handed out again: every sign-in now writes.
    for _ in 0..4 {
        assert_eq!(
            sign_ins(&t.base, "switch@example.org", 5).await,
            [303; 5],
            "sign-ins after the move, none on a connection to the old primary"
        );
    }
    let schema = &t.config.database.schema;
    let sessions = format!("SELECT count(*) FROM {schema}.sessions");
    assert!(
        on_server(pair.standby, &sessions).await.unwrap() >= 26,
        "the sessions of every sign-in are on the promoted server"
    );
    // At least: the failover test in this process counts in the same registry.
    assert!(
        metric(&t.base, "vhod_database_primary_changes_total").await >= 1.0,
        "the node counted the move"
    );
}
