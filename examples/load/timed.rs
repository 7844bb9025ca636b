//! The closed loop: `concurrency` workers, each doing one iteration after another until the clock
//! runs out (warm-up first, not recorded), every latency recorded; then requests/s, percentiles,
//! errors and the driver's own CPU use (near 100 % means the figure measures the driver).

use crate::scenarios::{Env, Worker};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Outcome {
    pub ok: usize,
    pub errors: usize,
    pub per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub driver_cpu: f64,
    /// CPU use of the server processes named by --server-pids (1.0 = one core busy).
    pub server_cpu: f64,
    /// The part of `server_cpu` spent by their password-hashing threads (`vhod-argon2-N`).
    pub hash_cpu: f64,
    /// The part spent by their SQLite connections' threads (sqlx runs each connection's
    /// statements on a thread of its own, named `sqlx-sqlite-worker-N`, cut to 15 bytes).
    pub sqlite_cpu: f64,
    /// The part of `server_cpu` spent in the kernel (system time of all their threads).
    pub server_sys: f64,
    /// Context switches of all their threads a second, voluntary (a thread waited: a channel, a
    /// lock, the network) and involuntary (the scheduler took the core away); a thread that ends
    /// between the two readings takes its count with it.
    pub switches: f64,
}

impl Outcome {
    pub fn json(&self, scenario: &str) -> String {
        serde_json::json!({
            "scenario": scenario,
            "ok": self.ok,
            "errors": self.errors,
            "per_s": (self.per_s * 10.0).round() / 10.0,
            "p50_ms": round2(self.p50_ms),
            "p99_ms": round2(self.p99_ms),
            "p999_ms": round2(self.p999_ms),
            "driver_cpu": round2(self.driver_cpu),
            "server_cpu": round2(self.server_cpu),
            "hash_cpu": (self.hash_cpu * 1000.0).round() / 1000.0,
            "sqlite_cpu": (self.sqlite_cpu * 1000.0).round() / 1000.0,
            "server_sys": (self.server_sys * 1000.0).round() / 1000.0,
            "switches": self.switches.round(),
        })
        .to_string()
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// CPU seconds a process has used (user + system, all its threads), from /proc/<pid>/stat;
/// `None` is this process.
pub fn cpu_seconds(pid: Option<u32>) -> f64 {
    let path = pid.map_or("/proc/self/stat".to_string(), |p| format!("/proc/{p}/stat"));
    ticks_of(&std::fs::read_to_string(path).unwrap_or_default())
}

/// CPU seconds the threads of process `pid` whose name starts with `prefix` have used.
pub fn thread_cpu_seconds(pid: u32, prefix: &str) -> f64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0.0;
    };
    let mut total = 0.0;
    for task in tasks.flatten() {
        let dir = task.path();
        let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if name.starts_with(prefix) {
            let stat = std::fs::read_to_string(dir.join("stat")).unwrap_or_default();
            total += ticks_of(&stat);
        }
    }
    total
}

/// utime + stime of a /proc stat line, in seconds.
fn ticks_of(stat: &str) -> f64 {
    let (user, system) = user_system(stat);
    user + system
}

/// utime and stime of a /proc stat line, in seconds.
fn user_system(stat: &str) -> (f64, f64) {
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// System CPU seconds (/proc/<pid>/stat counts the whole process) and context switches of
/// process `pid`, voluntary + involuntary, summed over its threads (each thread's status has its own).
pub fn kernel_and_switches(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let mut switches = 0.0;
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
            switches += status
                .lines()
                .filter(|l| l.starts_with("voluntary_ctxt") || l.starts_with("nonvoluntary_ctxt"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
                .sum::<f64>();
        }
    }
    (user_system(&stat).1, switches)
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Runs `scenario` for `warmup` + `duration`; `concurrency` workers.
pub async fn run(
    scenario: &str,
    env: Arc<Env>,
    concurrency: usize,
    server_pids: &[u32],
    warmup: Duration,
    duration: Duration,
) -> Result<Outcome, String> {
    // Every worker's setup (its sign-in) first, so the clock measures the scenario alone.
    let setups = (0..concurrency).map(|_| Worker::new(scenario, &env));
    let workers = futures::future::try_join_all(setups).await?;
    let started = Instant::now();
    let measure_from = started + warmup;
    let end = measure_from + duration;
    let mut tasks = vec![];
    for mut w in workers {
        let env = env.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(4096);
            let mut errors = 0usize;
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    break;
                }
                match w.step(&env).await {
                    Ok(()) if t0 >= measure_from => lat.push(t0.elapsed()),
                    Ok(()) => {}
                    Err(e) => {
                        errors += 1;
                        if errors <= 3 {
                            eprintln!("{e}");
                        }
                    }
                }
            }
            (lat, errors)
        }));
    }
    tokio::time::sleep_until(measure_from.into()).await;
    let servers = || -> f64 { server_pids.iter().map(|p| cpu_seconds(Some(*p))).sum() };
    let threads = |prefix: &str| -> f64 {
        let per = |p: &u32| thread_cpu_seconds(*p, prefix);
        server_pids.iter().map(per).sum()
    };
    let hashing = || threads("vhod-argon2-");
    let sqlite = || threads("sqlx-sqlite-wor");
    let kernel = || -> (f64, f64) {
        let each = server_pids.iter().map(|p| kernel_and_switches(*p));
        each.fold((0.0, 0.0), |(s, n), (s1, n1)| (s + s1, n + n1))
    };
    let (cpu0, server0, hash0, sqlite0) = (cpu_seconds(None), servers(), hashing(), sqlite());
    let kernel0 = kernel();
    let mut all = vec![];
    let mut errors = 0;
    for t in tasks {
        let (lat, err) = t.await.map_err(|e| e.to_string())?;
        all.extend(lat);
        errors += err;
    }
    let measured = Instant::now().duration_since(measure_from).as_secs_f64();
    let driver_cpu = (cpu_seconds(None) - cpu0) / measured;
    let server_cpu = (servers() - server0) / measured;
    let hash_cpu = (hashing() - hash0) / measured;
    let sqlite_cpu = (sqlite() - sqlite0) / measured;
    let kernel1 = kernel();
    let server_sys = (kernel1.0 - kernel0.0) / measured;
    let switches = (kernel1.1 - kernel0.1) / measured;
    all.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    Ok(Outcome {
        ok: all.len(),
        errors,
        per_s: all.len() as f64 / duration.as_secs_f64(),
        p50_ms: ms(percentile(&all, 0.50)),
        p99_ms: ms(percentile(&all, 0.99)),
        p999_ms: ms(percentile(&all, 0.999)),
        driver_cpu,
        server_cpu,
        hash_cpu,
        sqlite_cpu,
        server_sys,
        switches,
    })
}
