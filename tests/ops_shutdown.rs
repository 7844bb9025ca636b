//! Graceful shutdown of the real binary: SIGTERM in the middle of sign-in load. Every request sent
//! before the signal gets its full answer, the port then refuses new connections, and the process
//! exits 0 within `server.shutdown_secs`. With `server.drain_secs`, the node first serves on for
//! that long with `/readyz` answering 503 "stopping" and every answer closing its connection.

mod common;

use common::{free_port, hidden_fields};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Starts `vhod serve` on its own SQLite file and port (and `admin_bind` when given); returns the
/// child and its base URL.
async fn start_binary(
    shutdown_secs: u64,
    drain_secs: u64,
    admin_bind: Option<&str>,
) -> (std::process::Child, String) {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("vhod-ops-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vhod"))
        .arg("serve")
        .env("VHOD_SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("VHOD_SERVER__ISSUER", &base)
        .env("VHOD_SERVER__SHUTDOWN_SECS", shutdown_secs.to_string())
        .env("VHOD_SERVER__DRAIN_SECS", drain_secs.to_string())
        .env("VHOD_SERVER__ADMIN_BIND", admin_bind.unwrap_or(""))
        .env(
            "VHOD_DATABASE__URL",
            format!("sqlite://{}", dir.join("vhod.db").display()),
        )
        .env("VHOD_KEYS__KEK_FILE", dir.join("kek").display().to_string())
        .env("VHOD_DEV__ENABLED", "false")
        .env("VHOD_DEMO__ENABLED", "false")
        .env("VHOD_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the vhod binary starts");
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("vhod did not answer /healthz within 30 s");
}

/// Sends SIGTERM to `child`; returns the moment it was sent.
fn sigterm(child: &std::process::Child) -> Instant {
    let signalled = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    signalled
}

/// Waits for `child` to exit, at most `within` after `signalled`; asserts it exited 0 and that
/// its port then refuses connections.
async fn exits_zero(
    child: &mut std::process::Child,
    base: &str,
    signalled: Instant,
    within: Duration,
) {
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            signalled.elapsed() < within,
            "vhod still runs {within:?} after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0), "vhod exits 0 after SIGTERM");
    let after = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .send()
        .await;
    assert!(
        after.as_ref().is_err_and(reqwest::Error::is_connect),
        "a stopped node refuses connections: {after:?}"
    );
}

/// A whole answer: the status is not 5xx and the body arrived complete; else why not.
async fn whole(sent: Result<reqwest::Response, reqwest::Error>) -> Result<String, String> {
    let res = sent.map_err(|e| format!("{e:?}"))?;
    let status = res.status();
    let body = res.text().await.map_err(|e| format!("body cut: {e:?}"))?;
    if status.is_server_error() {
        return Err(format!("answered {status}"));
    }
    Ok(body)
}

#[derive(Default)]
struct Tally {
    answered: AtomicUsize,
    failed: AtomicUsize,
}

impl Tally {
    fn count(&self, r: Result<String, String>) -> Option<String> {
        match r {
            Ok(body) => {
                self.answered.fetch_add(1, Ordering::SeqCst);
                Some(body)
            }
            Err(why) => {
                eprintln!("a request sent before SIGTERM failed: {why}");
                self.failed.fetch_add(1, Ordering::SeqCst);
                None
            }
        }
    }
}

/// One simulated person: the login page, then a wrong password (argon2id on the server). No
/// request is started after `stop`; every one started before it is counted.
async fn person(base: String, stop: Arc<AtomicBool>, tally: Arc<Tally>) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    while !stop.load(Ordering::SeqCst) {
        let sent = http.get(format!("{base}/login")).send().await;
        let Some(page) = tally.count(whole(sent).await) else {
            continue;
        };
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let mut form = hidden_fields(&page);
        form.push(("login".into(), "+79001110000".into()));
        form.push(("password".into(), "wrong-password-1".into()));
        let sent = http.post(format!("{base}/login")).form(&form).send().await;
        tally.count(whole(sent).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_finishes_every_accepted_request_and_exits_zero() {
    let (mut child, base) = start_binary(10, 0, None).await;
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let people: Vec<_> = (0..12)
        .map(|_| tokio::spawn(person(base.clone(), stop.clone(), tally.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = tally.answered.load(Ordering::SeqCst);
    assert!(before > 0, "the load reached the server before the signal");
    // No request starts after this point; the ones on the wire must all be answered.
    stop.store(true, Ordering::SeqCst);
    let signalled = sigterm(&child);
    for p in people {
        p.await.unwrap();
    }
    // server.shutdown_secs = 10
    exits_zero(&mut child, &base, signalled, Duration::from_secs(15)).await;
    assert_eq!(
        tally.failed.load(Ordering::SeqCst),
        0,
        "no request sent before SIGTERM failed ({} answered)",
        tally.answered.load(Ordering::SeqCst)
    );
    eprintln!(
        "answered {} requests, {} of them after the first 1.5 s; exit after {:?}",
        tally.answered.load(Ordering::SeqCst),
        tally.answered.load(Ordering::SeqCst) - before,
        signalled.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_drain_serves_on_while_readyz_says_stopping_then_stops() {
    // `/readyz` on the main address, then on the admin address (`server.admin_bind`).
    let admin = format!("127.0.0.1:{}", free_port());
    for admin_bind in [None, Some(admin.as_str())] {
        drains(admin_bind).await;
    }
}

async fn drains(admin_bind: Option<&str>) {
    const DRAIN: Duration = Duration::from_secs(4);
    let (mut child, base) = start_binary(10, DRAIN.as_secs(), admin_bind).await;
    let readyz = match admin_bind {
        Some(admin) => format!("http://{admin}/readyz"),
        None => format!("{base}/readyz"),
    };
    // One client, so its kept-alive connection carries the requests until the node closes it.
    let http = reqwest::Client::new();
    let ready = http.get(&readyz).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert!(ready.headers().get("connection").is_none());

    let signalled = sigterm(&child);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Draining: the balancer is told to move away, the requests are still served.
    let ready = http.get(&readyz).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert!(ready.headers().get("retry-after").is_some());
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "stopping", "{body} ({readyz})");
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(page.status(), 200, "a request during the drain is served");
    assert_eq!(
        page.headers()
            .get("connection")
            .map(|v| v.to_str().unwrap()),
        Some("close"),
        "and its connection closed after the answer"
    );
    assert!(page.text().await.unwrap().contains("<form"));
    let fresh = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200, "new connections are still accepted");
    assert!(
        signalled.elapsed() < DRAIN,
        "the checks above ran within the drain ({:?})",
        signalled.elapsed()
    );

    exits_zero(
        &mut child,
        &base,
        signalled,
        DRAIN + Duration::from_secs(15),
    )
    .await;
    assert!(
        signalled.elapsed() >= DRAIN,
        "the node served out its drain before it stopped ({:?})",
        signalled.elapsed()
    );
}
