//! The OpenID Connect protocol surface: discovery, JWKS, authorize, consent, token, userinfo.

pub mod authorize;
pub mod claims;
pub mod clients;
pub mod consent;
pub mod discovery;
pub mod error;
pub mod pkce;
pub mod token;
pub mod tokens;
pub mod userinfo;
