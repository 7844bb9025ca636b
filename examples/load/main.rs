//! Load driver for a running vhod (one node or several: `--nodes` takes a comma-separated list and
//! every request goes to the next node round-robin).
//!
//! Timed scenarios (benches/load/run.sh drives them; prints one line `RESULT {json}`):
//!     load --scenario signin|refresh|cc|userinfo|introspect|discovery --nodes URL[,URL…]
//!          --duration 10 --warmup 2 --concurrency 16
//!          --client-id C --client-secret S --redirect-uri https://rp.example/cb
//!          --login bench@example.org --password 'Bench-2026!x' [--consent true]
//!          --cc-client-id C2 --cc-client-secret S2 [--cc-scope api.read] [--server-pids P,P]
//!   signin: authorize → login page → password → consent → code → token (a new browser each time);
//!   refresh: refresh_token grant, each worker rotating its own token; cc: client_credentials;
//!   userinfo, introspect: with an access token from a sign-in; discovery: discovery and JWKS.
//! Ceilings on this machine (same output line):
//!     load --scenario argon2 --hash-threads 1 [--seconds 5]   (raw argon2id, production cost)
//!     load --scenario es256 [--seconds 3]                      (ES256 signatures on one core)
//! Without --scenario (benches/signin.sh): --flows N sign-ins, then the raw argon2id rate and the
//! ratio flows/s ÷ argon2id/s.
//! The exit status is 1 when any request failed.

mod http;
mod raw;
mod scenarios;
mod signin;
mod timed;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args(BTreeMap<String, String>);

impl Args {
    fn parse() -> Args {
        let mut m = BTreeMap::new();
        let mut it = std::env::args().skip(1);
        while let Some(k) = it.next() {
            if k == "--help" || k == "-h" {
                let doc = include_str!("main.rs")
                    .lines()
                    .take_while(|l| l.starts_with("//!"))
                    .map(|l| l.trim_start_matches("//!"))
                    .collect::<Vec<_>>();
                println!("{}", doc.join("\n"));
                std::process::exit(0);
            }
            let v = it.next().unwrap_or_else(|| panic!("{k} needs a value"));
            m.insert(k.trim_start_matches("--").to_string(), v);
        }
        Args(m)
    }

    fn get(&self, k: &str, d: &str) -> String {
        self.0.get(k).cloned().unwrap_or_else(|| d.to_string())
    }

    fn num<T: std::str::FromStr>(&self, k: &str, d: &str) -> T {
        self.get(k, d)
            .parse()
            .unwrap_or_else(|_| panic!("--{k} must be a number"))
    }

    fn citizen(&self, consent: bool) -> signin::Citizen {
        signin::Citizen {
            client_id: self.get("client-id", ""),
            client_secret: self.get("client-secret", ""),
            redirect_uri: self.get("redirect-uri", "https://rp.example/cb"),
            login: self.get("login", "bench@example.org"),
            password: self.get("password", "Bench-2026!x"),
            consent,
        }
    }

    fn argon2(&self) -> (u32, u32, usize) {
        let d = vhod::config::Config::defaults();
        (
            self.num("memory-kib", &d.password.memory_kib.to_string()),
            self.num("iterations", &d.password.iterations.to_string()),
            self.num("hash-threads", "1"),
        )
    }
}

fn result_line(json: &str) {
    println!("RESULT {json}");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let a = Args::parse();
    let scenario = a.get("scenario", "");
    match scenario.as_str() {
        "" => legacy(&a).await,
        "argon2" => {
            let (m, t, threads) = a.argon2();
            let huge = a.get("huge-pages", "false") == "true";
            let rate = raw::argon2_rate(m, t, threads, a.num("seconds", "5"), huge);
            let json = serde_json::json!({"scenario": "argon2", "per_s": rate.per_s,
                "per_cpu_s": rate.per_cpu_s, "memory_kib": m, "iterations": t, "threads": threads,
                "huge_pages": huge});
            result_line(&json.to_string());
        }
        "es256" => {
            let rate = raw::es256_rate(a.num("seconds", "3"));
            let json = serde_json::json!({"scenario": "es256", "per_s": rate.per_s,
                "per_cpu_s": rate.per_cpu_s});
            result_line(&json.to_string());
        }
        s => {
            let concurrency: usize = a.num("concurrency", "16");
            let env = Arc::new(scenarios::Env {
                http: http::client(concurrency),
                nodes: http::Nodes::new(&a.get("nodes", &a.get("issuer", ""))),
                citizen: a.citizen(a.get("consent", "true") == "true"),
                cc_id: a.get("cc-client-id", ""),
                cc_secret: a.get("cc-client-secret", ""),
                cc_scope: a.get("cc-scope", "api.read"),
            });
            let secs = |k: &str, d: &str| Duration::from_secs_f64(a.num(k, d));
            let pids: Vec<u32> = a
                .get("server-pids", "")
                .split(',')
                .filter_map(|p| p.trim().parse().ok())
                .collect();
            let out = timed::run(
                s,
                env,
                concurrency,
                &pids,
                secs("warmup", "2"),
                secs("duration", "10"),
            )
            .await
            .unwrap_or_else(|e| {
                eprintln!("{s}: setup failed: {e}");
                std::process::exit(1);
            });
            result_line(&out.json(s));
            if out.errors > 0 || out.ok == 0 {
                std::process::exit(1);
            }
        }
    }
}

/// benches/signin.sh: a fixed number of sign-ins, then the raw argon2id rate and the ratio.
async fn legacy(a: &Args) {
    let concurrency: usize = a.num("concurrency", "8");
    let flows: usize = a.num("flows", "400");
    let http = http::client(concurrency);
    let nodes = http::Nodes::new(&a.get("nodes", &a.get("issuer", "http://localhost:8080")));
    let citizen = a.citizen(a.get("consent", "false") == "true");
    // Warm-up flow also proves the setup is right before timing anything.
    if let Err(e) = signin::flow(&http, &nodes, &citizen).await {
        eprintln!("warm-up sign-in failed: {e}");
        std::process::exit(1);
    }
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = vec![];
    for _ in 0..concurrency {
        let (http, nodes, citizen, next) =
            (http.clone(), nodes.clone(), citizen.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (vec![], 0usize);
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < flows {
                let t0 = Instant::now();
                match signin::flow(&http, &nodes, &citizen).await {
                    Ok(_) => lat.push(t0.elapsed()),
                    Err(e) => {
                        errors += 1;
                        if errors <= 3 {
                            eprintln!("flow failed: {e}");
                        }
                    }
                }
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (vec![], 0);
    for t in tasks {
        let (lat, err) = t.await.expect("worker");
        all.extend(lat);
        errors += err;
    }
    let flows_per_s = all.len() as f64 / started.elapsed().as_secs_f64();
    all.sort();
    let ms = |p| timed::percentile(&all, p).as_secs_f64() * 1e3;
    println!(
        "sign-ins: {} ok, {errors} failed, concurrency {concurrency}, {flows_per_s:.1} flows/s, p50 {:.1} ms, p99 {:.1} ms",
        all.len(),
        ms(0.50),
        ms(0.99)
    );
    let (m, t, threads) = a.argon2();
    let hashes_per_s = raw::argon2_rate(m, t, threads, 5.0, false).per_s;
    println!("argon2id m={m} KiB t={t} p=1 on {threads} thread(s): {hashes_per_s:.1} hashes/s");
    println!(
        "ratio flows/s ÷ argon2id/s: {:.2}",
        flows_per_s / hashes_per_s
    );
    if errors > 0 {
        std::process::exit(1);
    }
}
