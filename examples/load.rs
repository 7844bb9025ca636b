//! Load driver: N concurrent complete sign-ins against a running vhod (authorize → login form →
//! code → token → userinfo), then the raw argon2id hash rate at the same cost on this machine.
//! Prints flows/s, p50/p99 and the ratio flows/s ÷ hashes/s (each sign-in costs one argon2id).
//!
//!     cargo run --release --example load -- --issuer http://localhost:8080 \
//!         --client-id C --client-secret S --redirect-uri https://rp.example/cb \
//!         --login bench@example.org --password 'Bench-2026!x' --concurrency 8 --flows 400
//!
//! benches/signin.sh sets all of this up (release server pinned to one core, driver to the other).

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone)]
struct Args {
    issuer: String,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
    login: String,
    password: String,
    concurrency: usize,
    flows: usize,
    hash_threads: usize,
    memory_kib: u32,
    iterations: u32,
}

fn parse_args() -> Args {
    let mut m = BTreeMap::new();
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        if k == "--help" || k == "-h" {
            println!(
                "{}",
                include_str!("load.rs")
                    .lines()
                    .take_while(|l| l.starts_with("//!"))
                    .map(|l| l.trim_start_matches("//!"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            std::process::exit(0);
        }
        let v = it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        m.insert(k.trim_start_matches("--").to_string(), v);
    }
    let get = |k: &str, d: &str| m.get(k).cloned().unwrap_or_else(|| d.to_string());
    let defaults = vhod::config::Config::defaults();
    Args {
        issuer: get("issuer", "http://localhost:8080"),
        client_id: get("client-id", ""),
        client_secret: get("client-secret", ""),
        redirect_uri: get("redirect-uri", "https://rp.example/cb"),
        login: get("login", "bench@example.org"),
        password: get("password", "Bench-2026!x"),
        concurrency: get("concurrency", "8").parse().unwrap(),
        flows: get("flows", "400").parse().unwrap(),
        hash_threads: get("hash-threads", "1").parse().unwrap(),
        memory_kib: get("memory-kib", &defaults.password.memory_kib.to_string())
            .parse()
            .unwrap(),
        iterations: get("iterations", &defaults.password.iterations.to_string())
            .parse()
            .unwrap(),
    }
}

struct Jar(Vec<(String, String)>);

impl Jar {
    fn take(&mut self, res: &reqwest::Response) {
        for v in res.headers().get_all(SET_COOKIE) {
            let Some((kv, _)) = v.to_str().unwrap_or("").split_once(';') else {
                continue;
            };
            if let Some((k, v)) = kv.split_once('=') {
                self.0.retain(|(n, _)| n != k);
                self.0.push((k.to_string(), v.to_string()));
            }
        }
    }
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn location(res: &reqwest::Response) -> Result<String, String> {
    res.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| format!("expected a redirect, got {}", res.status()))
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(str::to_owned)
}

async fn one_flow(http: &reqwest::Client, a: &Args) -> Result<(), String> {
    let e = |x: reqwest::Error| x.to_string();
    let mut jar = Jar(vec![]);
    let verifier = vhod::crypto::random_token();
    let challenge = vhod::crypto::sha256_b64(&verifier);
    let mut url = url::Url::parse(&format!("{}/authorize", a.issuer)).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &a.client_id)
        .append_pair("redirect_uri", &a.redirect_uri)
        .append_pair("scope", "openid")
        .append_pair("state", "bench")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let res = http.get(url).send().await.map_err(e)?;
    let login_path = location(&res)?;
    let res = http
        .get(format!("{}{login_path}", a.issuer))
        .send()
        .await
        .map_err(e)?;
    jar.take(&res);
    let html = res.text().await.map_err(e)?;
    let csrf = hidden(&html, "csrf").ok_or("no csrf on login page")?;
    let tx = hidden(&html, "tx").ok_or("no tx on login page")?;
    let res = http
        .post(format!("{}/login", a.issuer))
        .header(COOKIE, jar.header())
        .form(&[
            ("csrf", csrf.as_str()),
            ("tx", tx.as_str()),
            ("login", &a.login),
            ("password", &a.password),
        ])
        .send()
        .await
        .map_err(e)?;
    jar.take(&res);
    let cont = location(&res)?;
    let res = http
        .get(format!("{}{cont}", a.issuer))
        .header(COOKIE, jar.header())
        .send()
        .await
        .map_err(e)?;
    let back = location(&res)?;
    let code = url::Url::parse(&back)
        .map_err(|x| x.to_string())?
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| format!("no code in {back}"))?;
    let res = http
        .post(format!("{}/token", a.issuer))
        .basic_auth(&a.client_id, Some(&a.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &a.redirect_uri),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .map_err(e)?;
    if !res.status().is_success() {
        return Err(format!("token: {}", res.status()));
    }
    let tokens: serde_json::Value = res.json().await.map_err(e)?;
    let at = tokens["access_token"].as_str().ok_or("no access_token")?;
    let res = http
        .get(format!("{}/userinfo", a.issuer))
        .bearer_auth(at)
        .send()
        .await
        .map_err(e)?;
    if !res.status().is_success() {
        return Err(format!("userinfo: {}", res.status()));
    }
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let a = parse_args();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(a.concurrency)
        .build()
        .unwrap();
    // Warm-up flow also proves the setup is right before timing anything.
    if let Err(e) = one_flow(&http, &a).await {
        eprintln!("warm-up sign-in failed: {e}");
        std::process::exit(1);
    }
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = vec![];
    for _ in 0..a.concurrency {
        let (http, a, next) = (http.clone(), a.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = vec![];
            let mut errors = 0usize;
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < a.flows {
                let t0 = Instant::now();
                match one_flow(&http, &a).await {
                    Ok(()) => lat.push(t0.elapsed()),
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
    let mut all = vec![];
    let mut errors = 0;
    for t in tasks {
        let (lat, err) = t.await.unwrap();
        all.extend(lat);
        errors += err;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let flows_per_s = all.len() as f64 / elapsed;
    println!(
        "sign-ins: {} ok, {} failed, concurrency {}, {:.1} flows/s, p50 {:.1} ms, p99 {:.1} ms",
        all.len(),
        errors,
        a.concurrency,
        flows_per_s,
        percentile(&all, 0.50).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3
    );

    // Raw argon2id rate at the same cost, `hash_threads` threads (= the server's cores).
    let pool = vhod::crypto::password::PasswordHasherPool::new(
        a.memory_kib,
        a.iterations,
        1,
        a.hash_threads,
    )
    .unwrap();
    let hash = pool.hash(&a.password).await.unwrap();
    let t0 = Instant::now();
    let mut n = 0usize;
    while t0.elapsed() < Duration::from_secs(5) {
        let mut batch = vec![];
        for _ in 0..a.hash_threads {
            let (pool, hash, pw) = (pool.clone(), hash.clone(), a.password.clone());
            batch.push(tokio::spawn(
                async move { pool.verify(&pw, Some(&hash)).await },
            ));
        }
        for b in batch {
            assert!(b.await.unwrap());
            n += 1;
        }
    }
    let hashes_per_s = n as f64 / t0.elapsed().as_secs_f64();
    println!(
        "argon2id m={} KiB t={} p=1 on {} thread(s): {:.1} verifications/s",
        a.memory_kib, a.iterations, a.hash_threads, hashes_per_s
    );
    println!(
        "ratio flows/s ÷ argon2id/s: {:.2}",
        flows_per_s / hashes_per_s
    );
    if errors > 0 {
        std::process::exit(1);
    }
}
