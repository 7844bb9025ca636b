//! Facts about the request a page needs: client IP, user agent, preferred language.

use super::i18n::Lang;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct ClientMeta {
    pub ip: String,
    pub user_agent: String,
    pub accept_language: Option<String>,
}

impl ClientMeta {
    /// `?lang=`/`ui_locales` first, then Accept-Language, then Russian.
    pub fn lang(&self, explicit: Option<&str>) -> Lang {
        Lang::choose(explicit, self.accept_language.as_deref())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(ClientMeta {
            ip,
            user_agent: header(axum::http::header::USER_AGENT).unwrap_or_default(),
            accept_language: header(axum::http::header::ACCEPT_LANGUAGE),
        })
    }
}
