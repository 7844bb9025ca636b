//! Application state and the one router that lists every route.

use crate::cache::Cache;
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::kek::Kek;
use crate::crypto::keyring::Keyring;
use crate::crypto::password::PasswordHasherPool;
use crate::notify::Notifier;
use crate::store::Store;
use crate::{demo, oidc, web};
use axum::Router;
use axum::routing::{get, post};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub cache: Cache,
    pub keyring: Keyring,
    pub notifier: Notifier,
    pub passwords: PasswordHasherPool,
    pub clock: Clock,
    /// Outgoing HTTP (client jwks_uri, back-channel logout, the demo RP): no redirects, short timeouts.
    pub http: reqwest::Client,
    /// Every URL fetched because a client or a certificate names it (see `crate::outbound`).
    pub outbound: crate::outbound::Outbound,
    /// This node's short-lived cache of clients (see oidc::clients::CACHE_SECS).
    pub clients: crate::oidc::clients::ClientCache,
    /// The discovery document, rendered once: it depends only on the configuration.
    pub discovery: Arc<std::sync::OnceLock<String>>,
    /// Salt of pairwise subject identifiers (stored once in the database, shared by all nodes).
    pub pairwise_salt: Arc<String>,
    /// Per-purpose keys (proof-of-work, DPoP nonces) derived from their own shared master secret.
    pub purpose_keys: Arc<crate::crypto::purpose_keys::PurposeKeys>,
    /// WebAuthn relying party: rp id = issuer host, origin = issuer origin.
    pub webauthn: Arc<webauthn_rs::Webauthn>,
    /// Trusted CAs and cached CRLs for signature login.
    pub qes: crate::authn::qes::Qes,
}

impl AppState {
    /// Opens every backend named by the configuration; errors are one line naming what failed.
    pub async fn open(config: Config, clock: Clock) -> anyhow::Result<AppState> {
        let store = Store::connect(&config, clock.clone()).await?;
        let cache = Cache::open(&config.cache.url, &config.cache.prefix).await?;
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
        let keyring = Keyring::open(&store, kek, config.keys.rsa_bits).await?;
        let pairwise_salt = store
            .setting_or_init("pairwise_salt", &crate::crypto::random_token())
            .await?;
        let purpose_master = store
            .setting_or_init(
                crate::crypto::purpose_keys::MASTER_SETTING,
                &crate::crypto::random_token(),
            )
            .await?;
        let p = &config.password;
        let passwords =
            PasswordHasherPool::new(p.memory_kib, p.iterations, p.parallelism, p.max_concurrent)?;
        let webauthn = crate::authn::webauthn::build(&config.server.issuer, "vhod")?;
        let qes = crate::authn::qes::Qes::load(&config.qes.trust_dir)?;
        let outbound =
            crate::outbound::Outbound::from_config(&config).map_err(|e| anyhow::anyhow!(e))?;
        Ok(AppState {
            webauthn: Arc::new(webauthn),
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
            clients: Default::default(),
            discovery: Default::default(),
            pairwise_salt: Arc::new(pairwise_salt),
            purpose_keys: Arc::new(crate::crypto::purpose_keys::PurposeKeys::derive(
                purpose_master.as_bytes(),
            )),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.config.server.issuer
    }

    pub fn demo_enabled(&self) -> bool {
        self.config.dev.enabled && self.config.demo.enabled
    }
}

/// Opens the state and builds the router; registers the demo client when dev mode is on.
pub async fn build_app(config: Config, clock: Clock) -> anyhow::Result<(Router, AppState)> {
    let state = AppState::open(config, clock).await?;
    if state.demo_enabled() {
        demo::ensure_client(&state).await?;
    }
    Ok((router(state.clone()), state))
}

pub fn router(state: AppState) -> Router {
    use oidc::body_limit::{PAGES, SMALL, WITH_REQUEST_OBJECT, limited};
    let mut r = Router::new()
        .route("/", get(web::pages::home))
        .route(
            "/.well-known/openid-configuration",
            get(oidc::discovery::discovery),
        )
        .route("/jwks", get(oidc::discovery::jwks))
        .route(
            "/authorize",
            limited(
                get(oidc::authorize::authorize_get).post(oidc::authorize::authorize_post),
                WITH_REQUEST_OBJECT,
            ),
        )
        .route("/authorize/continue", get(oidc::authorize::resume))
        .route("/consent", post(oidc::consent::decide))
        .route(
            "/session/end",
            limited(
                get(oidc::logout::end_session_get).post(oidc::logout::end_session_post),
                SMALL,
            ),
        )
        .route("/session/end/confirm", post(oidc::logout::confirm))
        .route(
            "/account/sessions/end-all",
            post(web::pages::end_all_sessions),
        )
        .route("/token", limited(post(oidc::token::token), SMALL))
        .route("/par", limited(post(oidc::par::push), WITH_REQUEST_OBJECT))
        .route(
            "/introspect",
            limited(post(oidc::introspect::introspect), SMALL),
        )
        .route("/revoke", limited(post(oidc::introspect::revoke), SMALL))
        .route(
            "/userinfo",
            limited(
                get(oidc::userinfo::userinfo_get).post(oidc::userinfo::userinfo_post),
                SMALL,
            ),
        )
        .route("/login", get(web::login::page).post(web::login::submit))
        .route(
            "/login/second-factor",
            get(web::second_factor::page).post(web::second_factor::submit),
        )
        .route(
            "/login/second-factor/send",
            post(web::second_factor::resend),
        )
        .route(
            "/logout",
            get(web::login::logout_page).post(web::login::logout),
        )
        .route(
            "/register",
            get(web::register::page).post(web::register::submit),
        )
        .route(
            "/register/confirm",
            get(web::register::confirm_form).post(web::register::confirm),
        )
        .route("/register/verify", get(web::register::verify_link))
        .route(
            "/register/password",
            get(web::register::password_page).post(web::register::set_password),
        )
        .route(
            "/recover",
            get(web::recover::start_page).post(web::recover::start),
        )
        .route(
            "/recover/code",
            get(web::recover::code_page).post(web::recover::code),
        )
        .route("/recover/link", get(web::recover::link))
        .route(
            "/recover/second",
            get(web::recover::second_form).post(web::recover::second),
        )
        .route("/recover/second/send", post(web::recover::second_send))
        .route(
            "/recover/password",
            get(web::recover::password_page).post(web::recover::set_password),
        )
        .route("/account", get(web::pages::account))
        .route("/account/passkeys", get(web::passkeys::page))
        .route(
            "/account/passkeys/register/start",
            post(web::passkeys::enrol_start),
        )
        .route(
            "/account/passkeys/register/finish",
            post(web::passkeys::enrol_finish),
        )
        .route("/account/passkeys/rename", post(web::passkeys::rename))
        .route("/account/passkeys/remove", post(web::passkeys::remove))
        .route("/login/passkey/start", post(web::passkey_login::start))
        .route("/login/passkey/finish", post(web::passkey_login::finish))
        .route("/static/passkeys.js", get(web::passkeys::script))
        .route(
            "/login/signature",
            get(web::qes::page).post(web::qes::submit),
        )
        .route("/account/signature", get(web::signature::page))
        .route("/account/signature/bind", post(web::signature::bind))
        .route("/account/signature/confirm", post(web::signature::confirm))
        .route("/account/signature/remove", post(web::signature::remove))
        .route("/account/documents", get(web::identity::documents))
        .route(
            "/account/standard",
            get(web::identity::standard_form).post(web::identity::standard_submit),
        )
        .route("/account/letter", post(web::identity::order_letter))
        .route(
            "/account/records",
            get(web::records::page).post(web::records::submit),
        )
        .route("/account/bank/start", post(web::bank::start))
        .route("/account/bank/callback", get(web::bank::callback))
        .route(
            "/account/contacts",
            get(web::contacts::page).post(web::contacts::start),
        )
        .route("/account/contacts/confirm", post(web::contacts::confirm))
        .route("/account/addresses", post(web::contacts::save_addresses))
        .route("/account/permissions", get(web::permissions::page))
        .route(
            "/account/permissions/revoke",
            post(web::permissions::revoke),
        )
        .route(
            "/account/delete",
            get(web::deletion::delete_form).post(web::deletion::delete_account),
        )
        .route(
            "/account/letter/code",
            post(web::identity::enter_letter_code),
        )
        .route("/account/security", get(web::security::page))
        .route(
            "/account/security/totp/start",
            post(web::security::totp_start),
        )
        .route(
            "/account/security/totp/confirm",
            post(web::security::totp_confirm),
        )
        .route(
            "/account/security/totp/remove",
            post(web::security::totp_remove),
        )
        .route(
            "/account/security/sms/start",
            post(web::security::sms_start),
        )
        .route(
            "/account/security/sms/confirm",
            post(web::security::sms_confirm),
        )
        .route("/account/security/sms/off", post(web::security::sms_off))
        .route(
            "/account/security/sessions/end",
            post(web::security_activity::end_one),
        )
        .route(
            "/account/security/sessions/end-others",
            post(web::security_activity::end_others),
        )
        .route(
            "/account/security/alerts",
            post(web::security_activity::set_alerts),
        )
        .route("/static/vhod.css", get(web::pages::stylesheet))
        .route("/static/pow.js", get(web::assets::pow_script))
        .route("/healthz", get(web::pages::health));
    if state.config.dev.enabled {
        r = r.route("/dev/outbox", get(web::pages::outbox));
    }
    if state.demo_enabled() {
        r = r
            .route("/demo", get(demo::page))
            .route("/demo/start", get(demo::start))
            .route("/demo/callback", get(demo::callback));
    }
    r.merge(crate::admin::routes())
        .fallback(web::error_pages::not_found)
        .method_not_allowed_fallback(web::error_pages::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(PAGES))
        .layer(axum::middleware::from_fn_with_state(
            web::throttle::limiter(&state.config),
            web::throttle::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            web::headers::Policy::from_config(&state.config),
            web::headers::security_headers,
        ))
        .with_state(state)
}
