//! `Ctx`: the cheap-to-clone bundle the domain needs (ARCHITECTURE.md §2). Everything in it is
//! infrastructure; it is opened by the composition root (`server::open`) and by the CLI, and every
//! domain function takes `&Ctx` instead of the whole application. Surface-only state (the OIDC
//! surface's client cache, the rendered discovery document) is not here: see `oidc::OidcState`.

use crate::cache::Cache;
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::keyring::Keyring;
use crate::crypto::password::PasswordHasherPool;
use crate::crypto::purpose_keys::PurposeKeys;
use crate::crypto::qes::Qes;
use crate::notify::Notifier;
use crate::outbound::Outbound;
use crate::store::Store;
use std::sync::Arc;

/// The context itself: one reference count, so handing it to a handler (axum clones the state for
/// every request) is one atomic increment, whatever it holds.
#[derive(Clone, Debug)]
pub struct Ctx(Arc<CtxParts>);

/// What a [`Ctx`] holds; reached through `Deref` (`ctx.store`, `ctx.config`).
#[derive(Debug)]
pub struct CtxParts {
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
    pub outbound: Outbound,
    /// Salt of pairwise subject identifiers (stored once in the database, shared by all nodes).
    pub pairwise_salt: Arc<String>,
    /// Per-purpose keys (proof-of-work, DPoP nonces) derived from their own shared master secret.
    pub purpose_keys: Arc<PurposeKeys>,
    /// WebAuthn relying party: rp id = issuer host, origin = issuer origin. `None` when the issuer's
    /// host is an IP address (browsers refuse it as an rp id): passkeys are then unavailable.
    pub webauthn: Option<Arc<webauthn_rs::Webauthn>>,
    /// Trusted CAs and cached CRLs for signature login.
    pub qes: Qes,
}

impl std::ops::Deref for Ctx {
    type Target = CtxParts;

    fn deref(&self) -> &CtxParts {
        &self.0
    }
}

impl Ctx {
    pub fn new(parts: CtxParts) -> Ctx {
        Ctx(Arc::new(parts))
    }

    pub fn issuer(&self) -> &str {
        &self.config.server.issuer
    }

    pub fn demo_enabled(&self) -> bool {
        self.config.dev.enabled && self.config.demo.enabled
    }

    pub fn passkeys_available(&self) -> bool {
        self.webauthn.is_some()
    }
}
