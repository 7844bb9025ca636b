//! Shared harness: starts the real app on a random port per test, on SQLite + memory always and on
//! PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set (own schema / key prefix each).
#![allow(dead_code)]

pub mod browser;
pub mod esia;
pub mod eventually;
pub mod identity;
pub mod login;
pub mod old_rows;
pub mod outage;
pub mod secrets;

pub use browser::*;
#[allow(unused_imports)] // used by the tests that wait for another node
pub use eventually::*;
#[allow(unused_imports)] // used by the tests of dependencies that go away
pub use outage::{assert_unavailable, authorize_timed, free_port};

use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{ClientId, ClientSecret, IssuerUrl, RedirectUrl};
use serde_json::Value;
use vhod::Ctx;
use vhod::clients::{self, NewClient};
use vhod::clock::Clock;
use vhod::config::Config;

pub const PASSWORD: &str = "Zvezda-2026!ok";

/// Valid-looking requisites (OGRN, INN, name) of two legal entities, for `TestServer::add_org`.
pub const ROMASHKA: (&str, &str, &str) = ("1027700132195", "7707083893", "ООО «Ромашка»");
pub const VASILEK: (&str, &str, &str) = ("1037739010891", "7702070139", "АО «Василёк»");

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres { db: String, redis: String },
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite+memory",
            Backend::Postgres { .. } => "postgres+redis",
        }
    }
}

/// SQLite + memory always; PostgreSQL + Redis when both variables are set. Setting only one of them
/// is a configuration mistake and fails loudly instead of silently testing less.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    match (
        std::env::var("TEST_DATABASE_URL"),
        std::env::var("TEST_REDIS_URL"),
    ) {
        (Ok(db), Ok(redis)) => list.push(Backend::Postgres { db, redis }),
        (Err(_), Err(_)) => {}
        _ => panic!("set both TEST_DATABASE_URL and TEST_REDIS_URL, or neither"),
    }
    list
}

pub fn postgres_backend() -> Option<Backend> {
    backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres { .. }))
}

/// A configuration with its own database (file or schema) and cache namespace.
pub fn test_config(backend: &Backend) -> Config {
    let mut c = Config::defaults();
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let dir = std::env::temp_dir().join(format!("vhod-test-{tag}"));
    std::fs::create_dir_all(&dir).unwrap();
    c.keys.kek_file = dir.join("kek").display().to_string();
    c.password.memory_kib = 1024;
    c.password.iterations = 1;
    c.dev.enabled = true;
    // The tests' relying parties (jwks_uri, request_uri, back-channel logout) run on this machine.
    c.outbound.allow = "127.0.0.0/8,::1".into();
    match backend {
        Backend::Sqlite => {
            c.database.url = format!("sqlite://{}", dir.join("vhod.db").display());
            c.cache.url = "memory".into();
        }
        Backend::Postgres { db, redis } => {
            c.database.url = db.clone();
            c.database.schema = format!("t_{tag}");
            c.database.max_connections = 5;
            c.cache.url = redis.clone();
            c.cache.prefix = format!("test:{tag}:");
        }
    }
    c
}

pub struct TestServer {
    pub base: String,
    pub app: Ctx,
    pub backend: Backend,
    pub config: Config,
    task: tokio::task::JoinHandle<()>,
    worker: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
        self.worker.abort();
        secrets::assert_none_logged();
    }
}

impl TestServer {
    /// A connection of the test's own to the node's database (its SQLite file, or its PostgreSQL
    /// schema), for what a test does behind the node's back.
    pub async fn raw_db(&self) -> sqlx::AnyConnection {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.config.database.url)
            .await
            .unwrap();
        if !self.config.database.schema.is_empty() {
            sqlx::raw_sql(&format!(
                "SET search_path TO {}",
                self.config.database.schema
            ))
            .execute(&mut conn)
            .await
            .unwrap();
        }
        conn
    }

    pub async fn start(backend: &Backend) -> TestServer {
        Self::start_with(backend, test_config(backend)).await
    }

    /// Starts a node on `config` (a second node shares the first one's config: same DB and cache,
    /// its own port and therefore... the same issuer would be wrong, so nodes get the shared issuer
    /// of the first node only when `issuer` is set by the caller).
    pub async fn start_with(backend: &Backend, mut config: Config) -> TestServer {
        // Server logs go to the test's captured output, shown when a test fails (and, in the
        // security suite, are searched for secrets: secrets.rs).
        secrets::install_subscriber();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        if config.server.issuer == Config::defaults().server.issuer {
            config.server.issuer = format!("http://localhost:{port}");
        }
        config.server.bind = format!("127.0.0.1:{port}");
        let (router, app) = vhod::build_app(config.clone(), Clock::default())
            .await
            .expect("app starts");
        let worker = vhod::server::worker::spawn_worker(app.clone());
        // The listener `vhod serve` runs (request-head timeout, connection bound).
        let limits = vhod::server::listen::Limits::from_config(&config);
        let task = tokio::spawn(vhod::server::listen::serve(
            listener,
            router,
            limits,
            std::future::pending(),
        ));
        TestServer {
            base: format!("http://localhost:{port}"),
            app,
            backend: backend.clone(),
            config,
            task,
            worker,
        }
    }

    pub fn issuer(&self) -> String {
        self.app.config.server.issuer.clone()
    }

    pub async fn add_client(&self, redirect_uri: &str, public: bool) -> (String, Option<String>) {
        let (c, secret) = clients::register(
            &self.app.store,
            NewClient {
                name: "Портал госуслуг региона".into(),
                redirect_uris: vec![redirect_uri.to_string()],
                is_public: public,
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        if let Some(s) = &secret {
            secrets::note(s);
        }
        (c.id.to_string(), secret)
    }

    /// A person registered at a service centre (same path as `vhod accounts create`).
    pub async fn add_person(&self, contact: &str) -> String {
        vhod::identity::registration::register_in_person(
            &self.app,
            vhod::identity::registration::RegistrationForm {
                surname: "Иванов",
                given_name: "Иван",
                contact,
            },
            PASSWORD,
        )
        .await
        .unwrap()
        .id
        .to_string()
    }

    /// A legal entity with these requisites (OGRN, INN, name), made straight in the store
    /// (creating one by signature is tested in orgs_create.rs), with `chief` as its chief; its oid.
    pub async fn add_org(&self, org: (&str, &str, &str), chief: &str) -> i64 {
        let org = vhod::store::orgs::NewOrg {
            kind: "LEGAL",
            ogrn: org.0,
            inn: org.1,
            kpp: "770701001",
            short_name: org.2,
            full_name: org.2,
        };
        self.app.store.create_org(org, chief).await.unwrap().oid
    }

    /// The newest message the outbox notifier sent to `to`, read over HTTP like a developer would.
    pub async fn last_message(&self, to: &str) -> Value {
        let url = format!("{}/dev/outbox?format=json&to={}", self.base, urlencode(to));
        let list: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        secrets::note_message(&list[0].to_string());
        list[0].clone()
    }

    pub async fn rp(&self, client_id: &str, secret: Option<&str>, redirect: &str) -> Rp {
        let http = no_redirect_client();
        let meta =
            CoreProviderMetadata::discover_async(IssuerUrl::new(self.issuer()).unwrap(), &http)
                .await
                .expect("discovery");
        let client = CoreClient::from_provider_metadata(
            meta,
            ClientId::new(client_id.into()),
            secret.map(|s| ClientSecret::new(s.into())),
        )
        .set_redirect_uri(RedirectUrl::new(redirect.into()).unwrap());
        Rp { client, http }
    }
}

pub type RpClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

pub struct Rp {
    pub client: RpClient,
    pub http: reqwest::Client,
}

pub fn no_redirect_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A PKCE pair (verifier, S256 challenge).
pub fn pkce_pair() -> (String, String) {
    let verifier = vhod::crypto::random_token();
    let challenge = vhod::crypto::sha256_b64(&verifier);
    (verifier, challenge)
}

/// An authorization URL built by hand (for refusal tests that need exact control).
pub fn authorize_url(
    base: &str,
    client_id: &str,
    redirect: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut u = url::Url::parse(&format!("{base}/authorize")).unwrap();
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair("client_id", client_id);
        q.append_pair("redirect_uri", redirect);
        q.append_pair("scope", "openid profile");
        q.append_pair("state", "st-123");
        for (k, v) in extra {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

pub const REDIRECT: &str = "https://portal.example.gov/callback";

/// Logs `login` in through the pages and returns (code, verifier) for a hand-built PKCE request.
pub async fn obtain_code(
    t: &TestServer,
    browser: &Browser,
    client_id: &str,
    login: &str,
) -> (String, String) {
    obtain_code_with(t, browser, client_id, login, &[("nonce", "n-1")]).await
}

/// [`obtain_code`] with `extra` parameters on the authorization request (e.g. `prompt=consent`).
pub async fn obtain_code_with(
    t: &TestServer,
    browser: &Browser,
    client_id: &str,
    login: &str,
    extra: &[(&str, &str)],
) -> (String, String) {
    let (verifier, challenge) = pkce_pair();
    let mut params = vec![
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    let url = authorize_url(&t.base, client_id, REDIRECT, &params);
    let back = browser.authorize_and_login(&url, login, PASSWORD).await;
    assert!(back.starts_with(REDIRECT), "{back}");
    (
        query_param(&back, "code").expect("code in redirect"),
        verifier,
    )
}

/// POSTs to /token with HTTP Basic client authentication; returns (status, JSON body).
pub async fn token_request(
    t: &TestServer,
    client_id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let res = no_redirect_client()
        .post(format!("{}/token", t.base))
        .basic_auth(urlencode(client_id), Some(urlencode(secret)))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(Value::Null);
    secrets::note_json(&body);
    (status, body)
}

pub async fn redeem(
    t: &TestServer,
    client_id: &str,
    secret: &str,
    code: &str,
    verifier: &str,
) -> (u16, Value) {
    token_request(
        t,
        client_id,
        secret,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// GET /userinfo with a bearer token; (status, body).
pub async fn userinfo(t: &TestServer, access_token: &str) -> (u16, Value) {
    let res = no_redirect_client()
        .get(format!("{}/userinfo", t.base))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The (unverified) payload of the ID token in a token response; signature checks live in the RP tests.
pub fn id_token_claims(token_response: &Value) -> Value {
    use base64::Engine;
    let id = token_response["id_token"].as_str().expect("id_token");
    let payload = id.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The value of the first `/metrics` line starting with `line_start` (0 when absent).
pub async fn metric(base: &str, line_start: &str) -> f64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0.0)
}

/// GET `path` as `b` in `lang`: (status, Retry-After, body, how long the answer took).
pub async fn timed_page(
    b: &Browser,
    path: &str,
    lang: &str,
) -> (u16, Option<String>, String, std::time::Duration) {
    let started = std::time::Instant::now();
    let res = b
        .http
        .get(format!("{}{path}", b.base))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, res.text().await.unwrap(), started.elapsed())
}
