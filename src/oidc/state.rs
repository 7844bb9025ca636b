//! The OpenID surface's own state: the domain context plus what only this surface keeps per node
//! (the short-lived client cache, the discovery document rendered once). Reached by handlers as
//! `State<OidcState>` (an axum `FromRef` sub-state of the server's state); it dereferences to the
//! [`Ctx`] so the domain functions it calls take `&ctx` unchanged.

use super::token_cache::{AccessTokenCache, UserinfoCache};
use crate::clients::ClientCache;
use crate::ctx::Ctx;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// One reference count (axum clones the state for every request).
#[derive(Clone, Debug)]
pub struct OidcState(Arc<OidcParts>);

/// What an [`OidcState`] holds; reached through `Deref`, and on to the [`Ctx`].
#[derive(Debug)]
pub struct OidcParts {
    pub ctx: Ctx,
    /// This node's short-lived cache of clients (see oidc::clients::CACHE_SECS).
    pub clients: ClientCache,
    /// The discovery document, rendered once: it depends only on the configuration.
    pub discovery: Arc<OnceLock<String>>,
    /// Access tokens this node validated a moment ago (see oidc::token_cache::WINDOW).
    pub access_tokens: AccessTokenCache,
    /// The userinfo claims this node answered a moment ago, by token (same window).
    pub userinfo: UserinfoCache,
}

impl OidcState {
    pub fn new(ctx: Ctx) -> OidcState {
        OidcState(Arc::new(OidcParts {
            ctx,
            clients: ClientCache::default(),
            discovery: Arc::default(),
            access_tokens: AccessTokenCache::default(),
            userinfo: UserinfoCache::default(),
        }))
    }
}

impl Deref for OidcState {
    type Target = OidcParts;

    fn deref(&self) -> &OidcParts {
        &self.0
    }
}

impl Deref for OidcParts {
    type Target = Ctx;

    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}
