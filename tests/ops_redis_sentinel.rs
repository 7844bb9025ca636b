//! Redis behind Sentinel: a master, its replica and one sentinel, all redis-servers this test
//! starts on free ports. A node whose cache names only the sentinel (`cache.sentinels`,
//! `cache.sentinel_master`) signs a citizen in on the master the sentinel names; when the master
//! is killed, requests needing the cache answer 503 with Retry-After (bounded, no hang) until the
//! sentinel has promoted the replica, and then the node serves on the new master by itself, with
//! no restart. After a switchover (the old master still running and taking writes) the sentinel's
//! announcement sends the cache to the new master within seconds; and with neither an error nor
//! an announcement (the sentinel re-pointed) the node's own periodic question moves it. Settings that cannot work stop the node at start with a message
//! that names the cause.
//!
//! Needs redis-server (Debian's package; `--sentinel` runs it as a sentinel).

mod common;

use common::*;
use std::time::{Duration, Instant};
use vhod::cache::{Cache, CacheError, RedisSettings};

const REDIRECT: &str = "https://portal.example/cb";
const GROUP: &str = "vhod-test-master";

fn redis_server(args: &[&str]) -> std::process::Child {
    std::process::Command::new("redis-server")
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redis-server is installed (apt-get install redis-server)")
}

async fn connection(port: u16) -> redis::aio::MultiplexedConnection {
    redis::Client::open(format!("redis://127.0.0.1:{port}"))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

async fn listening(port: u16) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on {port}");
}

/// What `ROLE` says the server on `port` is ("master" or "slave").
async fn role(port: u16) -> String {
    let answer: Vec<redis::Value> = redis::cmd("ROLE")
        .query_async(&mut connection(port).await)
        .await
        .unwrap();
    redis::from_redis_value(answer[0].clone()).unwrap()
}

/// A cache (1-s timeout) that reaches Redis through `group`'s sentinel, asking it unwoken every
/// `recheck`.
async fn sentinel_cache(group: &Group, prefix: &str, recheck: Duration) -> Cache {
    let settings = group.settings();
    let redis = RedisSettings {
        sentinels: &settings,
        sentinel_master: GROUP,
        sentinel_recheck: recheck,
        ..Default::default()
    };
    Cache::open_bounded(
        "redis://localhost",
        prefix,
        Duration::from_secs(1),
        usize::MAX,
        &redis,
    )
    .await
    .unwrap()
}

/// The value of `key` on the server at `port`.
async fn value_on(port: u16, key: &str) -> Option<String> {
    redis::cmd("GET")
        .arg(key)
        .query_async(&mut connection(port).await)
        .await
        .unwrap()
}

/// A server killed when the test ends, passed or not.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A master, its replica and a sentinel watching them (down after 500 ms); all killed on drop.
struct Group {
    master: (u16, std::process::Child),
    replica: (u16, std::process::Child),
    sentinel: (u16, std::process::Child),
    _dir: std::path::PathBuf,
}

impl Group {
    async fn start() -> Group {
        let (m, r, s) = (free_port(), free_port(), free_port());
        // The replica writes the master's snapshot to its folder: this test's own.
        let dir = std::env::temp_dir().join(format!("vhod-sentinel-{s}"));
        std::fs::create_dir_all(&dir).unwrap();
        let dir_arg = dir.to_str().unwrap().to_owned();
        let plain = [
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            &dir_arg,
        ];
        let master = redis_server(&[&["--port", &m.to_string()][..], &plain].concat());
        listening(m).await;
        let replica = redis_server(
            &[
                &[
                    "--port",
                    &r.to_string(),
                    "--replicaof",
                    "127.0.0.1",
                    &m.to_string(),
                ][..],
                &plain,
            ]
            .concat(),
        );
        listening(r).await;
        // The sentinel finds the replica in the master's INFO: start it once the replica is in.
        let mut up = false;
        for _ in 0..200 {
            let info: String = redis::cmd("INFO")
                .arg("replication")
                .query_async(&mut connection(m).await)
                .await
                .unwrap();
            if info.contains("connected_slaves:1") {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(up, "the replica connected to its master");
        let conf = dir.join("sentinel.conf");
        std::fs::write(
            &conf,
            format!(
                "port {s}\nbind 127.0.0.1\ndir {}\n\
                 sentinel monitor {GROUP} 127.0.0.1 {m} 1\n\
                 sentinel down-after-milliseconds {GROUP} 500\n\
                 sentinel failover-timeout {GROUP} 5000\n",
                dir.display()
            ),
        )
        .unwrap();
        let sentinel = redis_server(&[conf.to_str().unwrap(), "--sentinel"]);
        listening(s).await;
        let group = Group {
            master: (m, master),
            replica: (r, replica),
            sentinel: (s, sentinel),
            _dir: dir,
        };
        // A switchover needs a replica the sentinel has read (its INFO, its link to the master up).
        let mut known = false;
        for _ in 0..300 {
            let replicas: Vec<std::collections::HashMap<String, String>> = redis::cmd("SENTINEL")
                .arg("REPLICAS")
                .arg(GROUP)
                .query_async(&mut connection(s).await)
                .await
                .unwrap();
            if replicas.iter().any(|r| {
                r.get("flags").map(String::as_str) == Some("slave")
                    && r.get("master-link-status").map(String::as_str) == Some("ok")
            }) {
                known = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(known, "the sentinel knows the replica");
        group
    }

    fn settings(&self) -> String {
        format!("127.0.0.1:{}", self.sentinel.0)
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        for child in [
            &mut self.master.1,
            &mut self.replica.1,
            &mut self.sentinel.1,
        ] {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

/// The keys of this node's cache (its prefix) on the server at `port`.
async fn node_keys(port: u16, prefix: &str) -> Vec<String> {
    redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut connection(port).await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_node_follows_the_sentinels_to_the_new_master_when_the_master_is_killed() {
    let mut group = Group::start().await;
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    // With sentinels the URL's host and port are not used: the sentinel names the master.
    config.cache.url = "redis://not-the-master.invalid:1".into();
    config.cache.sentinels = group.settings();
    config.cache.sentinel_master = GROUP.into();
    config.cache.prefix = format!("vhod-sentinel-{}:", group.sentinel.0);
    config.database.acquire_timeout_secs = 2;
    let prefix = config.cache.prefix.clone();
    let t = TestServer::start_with(&backend, config).await;
    let (client_id, _) = t.add_client(REDIRECT, false).await;
    t.add_person("sentinel@example.org").await;
    let b = Browser::new(&t.base);
    assert_eq!(
        login::password_status(&b, "sentinel@example.org", PASSWORD).await,
        303,
        "a sign-in through the master the sentinel names"
    );
    assert!(matches!(
        authorize_timed(&t.base, &client_id, REDIRECT).await.0,
        200 | 302 | 303
    ));
    assert!(
        !node_keys(group.master.0, &prefix).await.is_empty(),
        "the node's cache entries (a login transaction) are on the master"
    );

    group.master.1.kill().unwrap();
    group.master.1.wait().unwrap();
    assert_unavailable(
        &authorize_timed(&t.base, &client_id, REDIRECT).await,
        Duration::from_secs(4),
        "a request needing the cache, the master gone",
    );

    let started = Instant::now();
    let mut answers = vec![];
    loop {
        let (status, _, took) = authorize_timed(&t.base, &client_id, REDIRECT).await;
        assert!(
            took < Duration::from_secs(4),
            "answered in {took:?}, not hung"
        );
        answers.push(status);
        if matches!(status, 200 | 302 | 303) {
            break;
        }
        assert_eq!(
            status, 503,
            "only 503 while the master is away: {answers:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the node serves again within 30 s of the failover: {answers:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        role(group.replica.0).await,
        "master",
        "the sentinel promoted the replica"
    );
    let b = Browser::new(&t.base);
    t.add_person("after-failover@example.org").await;
    assert_eq!(
        login::password_status(&b, "after-failover@example.org", PASSWORD).await,
        303,
        "a whole sign-in after the failover, with no restart"
    );
    assert!(matches!(
        authorize_timed(&t.base, &client_id, REDIRECT).await.0,
        200 | 302 | 303
    ));
    assert!(
        !node_keys(group.replica.0, &prefix).await.is_empty(),
        "the node's cache entries are on the new master"
    );
    let ready = reqwest::get(format!("{}/readyz", t.base)).await.unwrap();
    assert_eq!(ready.status().as_u16(), 200, "ready on the new master");
    // At least: the switchover test in this process counts in the same registry.
    assert!(
        metric(&t.base, "vhod_cache_master_changes_total").await >= 1.0,
        "the node counted the move"
    );
}

#[tokio::test]
async fn a_switchover_moves_the_cache_to_the_new_master_while_the_old_one_still_runs() {
    let group = Group::start().await;
    // The node does not ask the sentinel on its own within this test (once a minute): what moves
    // it is the sentinel's +switch-master announcement (the old master still takes writes).
    let cache = sentinel_cache(&group, "switchover:", Duration::from_secs(60)).await;
    cache.put("before", "1", 60).await.unwrap();
    let _: () = redis::cmd("SENTINEL")
        .arg("FAILOVER")
        .arg(GROUP)
        .query_async(&mut connection(group.sentinel.0).await)
        .await
        .unwrap();

    let started = Instant::now();
    for attempt in 0.. {
        // The old master keeps running and takes writes (the sentinel demotes it later): the
        // announcement sends the cache to the sentinel, which names the new master. A value
        // written once the replica is the master, and found there, went to the new master.
        let promoted = role(group.replica.0).await == "master";
        let value = attempt.to_string();
        let took = Instant::now();
        let put = cache.put("after", &value, 60).await;
        assert!(took.elapsed() < Duration::from_secs(3), "bounded: {put:?}");
        if let Err(e) = &put {
            assert!(matches!(e, CacheError::Unavailable(_)), "{e}");
        }
        if promoted
            && put.is_ok()
            && value_on(group.replica.0, "switchover:after").await == Some(value)
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the cache writes to the new master within 10 s of the switchover: {put:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(cache.get("before").await.unwrap().as_deref(), Some("1"));
}

#[tokio::test]
async fn a_node_asks_the_sentinels_on_its_own_and_moves_without_an_error_or_an_announcement() {
    let group = Group::start().await;
    let cache = sentinel_cache(&group, "recheck:", Duration::from_millis(300)).await;
    // Another master, and the sentinel told to watch it under the group's name instead: the old
    // master keeps answering (no error), and re-monitoring announces no +switch-master.
    let other = free_port();
    let _other_server = Killed(redis_server(&[
        "--port",
        &other.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]));
    listening(other).await;
    let mut sentinel = connection(group.sentinel.0).await;
    let _: () = redis::cmd("SENTINEL")
        .arg("REMOVE")
        .arg(GROUP)
        .query_async(&mut sentinel)
        .await
        .unwrap();
    let _: () = redis::cmd("SENTINEL")
        .arg("MONITOR")
        .arg(GROUP)
        .arg("127.0.0.1")
        .arg(other)
        .arg(1)
        .query_async(&mut sentinel)
        .await
        .unwrap();
    let started = Instant::now();
    for attempt in 0.. {
        let value = attempt.to_string();
        cache.put("where", &value, 60).await.unwrap();
        if value_on(other, "recheck:where").await == Some(value) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the cache writes where the sentinel now says within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn sentinel_settings_that_cannot_work_are_refused_with_the_cause() {
    let open = |url: &'static str, sentinels: String, master: &'static str| async move {
        let redis = RedisSettings {
            sentinels: &sentinels,
            sentinel_master: master,
            ..Default::default()
        };
        let started = Instant::now();
        let e = Cache::open_bounded(url, "x:", Duration::from_secs(1), usize::MAX, &redis)
            .await
            .unwrap_err();
        (e.to_string(), started.elapsed())
    };
    let (e, _) = open("memory", "127.0.0.1:26379".into(), GROUP).await;
    assert!(e.contains("cache.url is \"memory\""), "{e}");
    let (e, _) = open("redis://localhost", "127.0.0.1:26379".into(), "").await;
    assert!(e.contains("cache.sentinel_master"), "{e}");

    let nobody = free_port();
    let (e, took) = open("redis://localhost", format!("127.0.0.1:{nobody}"), GROUP).await;
    assert!(
        e.contains(&format!("127.0.0.1:{nobody}")),
        "names the sentinel: {e}"
    );
    assert!(took < Duration::from_secs(4), "{took:?}");

    let group = Group::start().await;
    let (e, _) = open("redis://localhost", group.settings(), "no-such-group").await;
    assert!(e.contains("does not monitor no-such-group"), "{e}");
}
