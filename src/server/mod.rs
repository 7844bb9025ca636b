//! The composition root: opens the backends the configuration names into a [`Ctx`], builds the
//! surfaces' state and the router, and runs the background worker. Only `main` and `cli` use it.

pub mod body_deadline;
pub mod drain;
pub mod fallback;
pub mod housekeeping;
pub mod listen;
pub mod logging;
pub mod observe;
pub mod ops;
pub mod request_id;
pub mod router;
pub mod serve;
pub mod shutdown;
pub mod worker;

use crate::cache::Cache;
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::kek::Kek;
use crate::crypto::keyring::Keyring;
use crate::crypto::password::PasswordHasherPool;
use crate::crypto::purpose_keys::{self, PurposeKeys};
use crate::crypto::qes::Qes;
use crate::ctx::Ctx;
use crate::notify::Notifier;
use crate::oidc::OidcState;
use crate::outbound::Outbound;
use crate::store::Store;
use axum::Router;
use axum::extract::FromRef;
use std::sync::Arc;

/// The router's state: every surface's state, each handler extracting only the part it needs
/// (`State<Ctx>` for pages and the domain, `State<OidcState>` for the OpenID surface).
#[derive(Clone, Debug)]
pub struct AppState {
    pub oidc: OidcState,
}

impl FromRef<AppState> for Ctx {
    fn from_ref(app: &AppState) -> Ctx {
        app.oidc.ctx.clone()
    }
}

impl FromRef<AppState> for OidcState {
    fn from_ref(app: &AppState) -> OidcState {
        app.oidc.clone()
    }
}

/// Opens every backend named by the configuration; errors are one line naming what failed.
pub async fn open(config: Config, clock: Clock) -> anyhow::Result<Ctx> {
    let store = Store::connect(&config, clock.clone()).await?;
    let timeout = std::time::Duration::from_secs(config.database.acquire_timeout_secs);
    let memory_max = usize::try_from(config.cache.memory_max_mb.saturating_mul(1024 * 1024))
        .unwrap_or(usize::MAX);
    let redis = crate::cache::RedisSettings::of(&config.cache);
    let cache = Cache::open_bounded(
        &config.cache.url,
        &config.cache.prefix,
        timeout,
        memory_max,
        &redis,
    )
    .await?;
    let mut kek = if config.keys.kek.is_empty() {
        Kek::load_or_create(std::path::Path::new(&config.keys.kek_file))?
    } else {
        Kek::from_base64(&config.keys.kek)?
    };
    for extra in config
        .keys
        .extra_kek_files
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        let text = std::fs::read_to_string(extra)
            .map_err(|e| anyhow::anyhow!("keys.extra_kek_files {extra}: {e}"))?;
        kek = kek.also_opening(&Kek::from_base64(&text)?);
    }
    let keyring = Keyring::open(&store, kek, config.keys.rsa_bits, &config.server.issuer).await?;
    let pairwise_salt = store
        .setting_or_init("pairwise_salt", &crate::crypto::random_token())
        .await?;
    let purpose_master = store
        .setting_or_init(purpose_keys::MASTER_SETTING, &crate::crypto::random_token())
        .await?;
    let p = &config.password;
    let passwords =
        PasswordHasherPool::new(p.memory_kib, p.iterations, p.parallelism, p.max_concurrent)?;
    let webauthn = crate::authn::webauthn::build(&config.server.issuer, "vhod")?;
    let qes = Qes::load(&config.qes.trust_dir)?;
    let outbound = Outbound::from_config(&config).map_err(|e| anyhow::anyhow!(e))?;
    Ok(Ctx::new(crate::ctx::CtxParts {
        webauthn: webauthn.map(Arc::new),
        qes,
        notifier: Notifier::from_config(&config, store.clone())?,
        config: Arc::new(config),
        store,
        cache,
        keyring,
        passwords,
        clock,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(5))
            .build()?,
        outbound,
        pairwise_salt: Arc::new(pairwise_salt),
        purpose_keys: Arc::new(PurposeKeys::derive(purpose_master.as_bytes())),
    }))
}

/// Opens the context and builds the router; registers the demo client when dev mode is on.
pub async fn build_app(config: Config, clock: Clock) -> anyhow::Result<(Router, Ctx)> {
    let (router, _ops, ctx) = build_apps(config, clock).await?;
    Ok((router, ctx))
}

/// As [`build_app`], with the router of the admin address (`server.admin_bind`) too.
pub async fn build_apps(config: Config, clock: Clock) -> anyhow::Result<(Router, Router, Ctx)> {
    crate::metrics::install();
    let ctx = open(config, clock).await?;
    if ctx.demo_enabled() {
        crate::demo::ensure_clients(&ctx).await?;
    }
    let state = AppState {
        oidc: OidcState::new(ctx.clone()),
    };
    Ok((
        router::router(state.clone()),
        router::ops_router(state),
        ctx,
    ))
}
