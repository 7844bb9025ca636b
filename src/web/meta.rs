//! Facts about the request a page needs: client IP (past trusted proxies: `client_ip`), user
//! agent, preferred language.

use super::client_ip::ClientIp;
use super::i18n::Lang;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct ClientMeta {
    pub ip: String,
    pub user_agent: String,
    pub accept_language: Option<String>,
    /// The language chosen with the switcher (its cookie), if any.
    pub remembered_lang: Option<Lang>,
}

impl ClientMeta {
    /// `?lang=`/`ui_locales` first, then the person's choice (cookie), then Accept-Language,
    /// then Russian.
    pub fn lang(&self, explicit: Option<&str>) -> Lang {
        Lang::pick(
            explicit,
            self.remembered_lang,
            self.accept_language.as_deref(),
        )
    }
}

/// The language the switcher's cookie remembers.
pub fn remembered_lang(headers: &axum::http::HeaderMap) -> Option<Lang> {
    super::cookies::get(headers, crate::lang::COOKIE).and_then(|c| Lang::from_code(&c))
}

impl<S: Send + Sync> FromRequestParts<S> for ClientMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientMeta::of(parts))
    }
}

impl ClientMeta {
    /// What the request's head says of its client (the extractor's answer, for a layer).
    pub fn of(parts: &Parts) -> ClientMeta {
        // The request layer's answer (past trusted proxies); a router without it: the peer.
        let ip = match parts.extensions.get::<ClientIp>() {
            Some(ClientIp(ip)) => ip.to_string(),
            None => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_canonical().to_string())
                .unwrap_or_else(|| "unknown".into()),
        };
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        ClientMeta {
            ip,
            user_agent: header(axum::http::header::USER_AGENT).unwrap_or_default(),
            accept_language: header(axum::http::header::ACCEPT_LANGUAGE),
            remembered_lang: remembered_lang(&parts.headers),
        }
    }
}
