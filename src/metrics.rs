//! Prometheus metrics: one process-wide recorder (the `metrics` facade with the Prometheus exporter)
//! and one small function per event, so a call site elsewhere stays one line. Labels are bounded:
//! route templates (never raw paths), client ids, methods, outcomes — never a person's data.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

mod http;
pub use http::method_label;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Latency buckets (seconds): from a cached discovery document to a slow argon2id sign-in.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often the recorded histogram samples are folded into their buckets. The exporter keeps
/// every sample until then (8 bytes and more each): without this, a node nobody scrapes grows by
/// every request it serves.
pub const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Installs the recorder once per process (every server in a test process shares it), with the
/// thread that runs its upkeep; `None` when another recorder was installed first (then `/metrics`
/// says so instead of lying).
fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
                .ok()?;
            let handle = builder.install_recorder().ok()?;
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new()
                .name("vhod-metrics".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(UPKEEP_EVERY);
                        upkeep.run_upkeep();
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "no metrics upkeep thread: samples kept until scraped");
            }
            Some(handle)
        })
        .as_ref()
}

/// Makes sure the recorder exists before the first event (called when a server starts).
pub fn install() {
    let _ = handle();
}

/// The text exposition format of every metric recorded so far in this process.
pub fn render() -> Option<String> {
    let h = handle()?;
    h.run_upkeep();
    Some(h.render())
}

/// One HTTP request: `route` is the matched route template (`/keys/{name}`), or "unmatched";
/// `method` one of [`method_label`]'s labels.
pub fn http_request(route: &str, method: &'static str, status: u16, seconds: f64) {
    let ours = HANDLE.get().is_some_and(Option::is_some);
    http::record(route, method, status, seconds, ours);
}

/// A recorded sign-in attempt (login events: method `pwd`, `otp`, `hwk` …; result `ok`, `fail`,
/// `locked` …: a small fixed set each).
pub fn sign_in(method: &str, result: &str) {
    ::metrics::counter!(
        "vhod_sign_ins_total",
        "method" => method.to_owned(),
        "result" => result.to_owned()
    )
    .increment(1);
}

/// A token request answered at a token endpoint (`protocol` "oidc" for `/token`, "esia" for
/// `/aas/oauth2/v3/te` and the legacy `/te`): `grant` is one of the three supported grant types
/// (checked before), the client authenticated or at least known, `issued` whether tokens were issued.
pub fn tokens_issued(protocol: &'static str, grant: &str, client_id: &str, issued: bool) {
    let name = if issued {
        "vhod_tokens_issued_total"
    } else {
        "vhod_token_refusals_total"
    };
    ::metrics::counter!(
        name,
        "protocol" => protocol,
        "grant" => grant.to_owned(),
        "client" => client_id.to_owned()
    )
    .increment(1);
}

/// A one-time code handed to its channel (`sms`, `email`): counted sent or failed, `result` passed on.
pub fn otp<T, E>(to: &crate::types::Contact, result: Result<T, E>) -> Result<T, E> {
    let channel = match to {
        crate::types::Contact::Phone(_) => "sms",
        crate::types::Contact::Email(_) => "email",
    };
    let outcome = if result.is_ok() { "sent" } else { "failed" };
    ::metrics::counter!("vhod_otp_total", "channel" => channel, "result" => outcome).increment(1);
    result
}

/// An account locked after too many failed attempts.
pub fn lockout() {
    ::metrics::counter!("vhod_lockouts_total").increment(1);
}

/// A request refused by a per-address rate limit (`limit`: attempts / authorizations).
pub fn rate_limited(limit: &'static str) {
    ::metrics::counter!("vhod_rate_limited_total", "limit" => limit).increment(1);
}

/// A registry check finished: `outcome` confirmed / refused / failed / retry.
pub fn registry_check(outcome: &'static str) {
    ::metrics::counter!("vhod_registry_checks_total", "outcome" => outcome).increment(1);
}

/// An e-mail handed to the SMTP relay (`sent`) or refused/unreachable (`failed`, retried later).
pub fn email_delivery(result: &'static str) {
    ::metrics::counter!("vhod_email_deliveries_total", "result" => result).increment(1);
}

/// A cache (memory or Redis) operation failed: the cache is unreachable.
pub fn cache_error() {
    ::metrics::counter!("vhod_cache_errors_total").increment(1);
    dependency_down("cache");
}

/// The cache moved to the master Redis Sentinel names now (a failover or a switchover).
pub fn cache_master_changed() {
    ::metrics::counter!("vhod_cache_master_changes_total").increment(1);
}

/// Rows a node's sweeper deleted (`store::retention`), per table.
pub fn swept(table: &'static str, rows: u64) {
    ::metrics::counter!("vhod_store_swept_rows_total", "table" => table).increment(rows);
}

/// The node moved to another PostgreSQL server of `database.url`: a standby was promoted.
pub fn database_primary_changed() {
    ::metrics::counter!("vhod_database_primary_changes_total").increment(1);
}

/// The durable job queue: jobs due or waiting, and the age of the oldest due one.
pub fn job_queue(depth: i64, oldest_age_secs: i64) {
    ::metrics::gauge!("vhod_job_queue_depth").set(depth as f64);
    ::metrics::gauge!("vhod_job_queue_oldest_age_seconds").set(oldest_age_secs as f64);
}

/// The database pool: connections in use and idle.
pub fn db_pool(in_use: u32, idle: u32) {
    ::metrics::gauge!("vhod_db_pool_connections", "state" => "in_use").set(f64::from(in_use));
    ::metrics::gauge!("vhod_db_pool_connections", "state" => "idle").set(f64::from(idle));
}

/// The memory cache's entries and its bound (`cache.memory_max_mb`), in bytes as it counts them:
/// how close a single node is to refusing new sign-ins.
pub fn memory_cache(bytes: usize, max_bytes: usize) {
    ::metrics::gauge!("vhod_cache_memory_bytes").set(bytes as f64);
    if max_bytes != usize::MAX {
        ::metrics::gauge!("vhod_cache_memory_max_bytes").set(max_bytes as f64);
    }
}

/// How long taking a connection from the database pool took (sampled by every node's worker once a
/// second, and so a measure of how long requests wait for a connection).
pub fn db_pool_acquire(seconds: f64) {
    ::metrics::histogram!("vhod_db_pool_acquire_seconds").record(seconds);
}

/// A wait for a database connection that ran out (`database.acquire_timeout_secs`).
pub fn db_pool_timeout() {
    ::metrics::counter!("vhod_db_pool_acquire_timeouts_total").increment(1);
}

/// The age of the active signing key of one algorithm.
pub fn key_age(alg: &str, age_secs: i64) {
    ::metrics::gauge!("vhod_signing_key_age_seconds", "alg" => alg.to_owned()).set(age_secs as f64);
}

tokio::task_local! {
    /// The dependency found unreachable while serving this request, if any.
    static UNREACHABLE: std::cell::Cell<Option<&'static str>>;
    /// The dependencies a call of this request waited its whole deadline for (bits of `silent_bit`).
    static SILENT: std::cell::Cell<u8>;
}

/// Runs `f` (one request) so that [`dependency_down`] inside it is seen by [`unreachable_in`].
pub async fn watch_dependencies<F: std::future::Future>(f: F) -> (F::Output, Option<&'static str>) {
    UNREACHABLE
        .scope(
            std::cell::Cell::new(None),
            SILENT.scope(std::cell::Cell::new(0), async move {
                let out = f.await;
                (out, UNREACHABLE.with(std::cell::Cell::get))
            }),
        )
        .await
}

fn silent_bit(which: &'static str) -> u8 {
    if which == "database" { 1 } else { 2 }
}

/// A call of the current request to `which` (`"database"`, `"cache"`) got no answer within its
/// deadline (store/bounded_tx.rs, cache/redis_cache.rs): the request's further calls to it fail at
/// once instead of each waiting as long again (a page that reads twice would otherwise answer after
/// two deadlines). No-op outside a request.
pub fn note_silent(which: &'static str) {
    let _ = SILENT.try_with(|s| s.set(s.get() | silent_bit(which)));
}

/// See [`note_silent`]; false outside a request (the job worker waits each time).
pub fn silent(which: &'static str) -> bool {
    SILENT
        .try_with(|s| s.get() & silent_bit(which) != 0)
        .unwrap_or(false)
}

/// A dependency (`"database"`, `"cache"`) could not be reached: counted, and noted for the request
/// being served so its failure is answered 503 with Retry-After instead of 500.
pub fn dependency_down(which: &'static str) {
    ::metrics::counter!("vhod_dependency_unreachable_total", "dependency" => which).increment(1);
    let _ = UNREACHABLE.try_with(|u| u.set(Some(which)));
}

/// The dependency noted unreachable so far while serving the current request (None outside one).
pub fn unreachable_now() -> Option<&'static str> {
    UNREACHABLE.try_with(std::cell::Cell::get).ok().flatten()
}

/// The current request's account and client, for its log line (no-op outside a request).
pub fn note_account(account_id: &str) {
    tracing::Span::current().record("account_id", account_id);
}

/// See [`note_account`].
pub fn note_client(client_id: &str) {
    tracing::Span::current().record("client_id", client_id);
}
