//! The OpenID Connect protocol surface: discovery, JWKS, authorize, consent, token, userinfo.

pub mod authorize;
pub mod authorize_request;
pub mod body_limit;
pub mod claims;
pub mod claims_identity;
pub mod client_assertion;
pub mod client_auth;
pub mod client_keys;
pub mod consent;
pub mod consent_items;
pub mod discovery;
pub mod dpop;
pub mod error;
pub mod id_token_hint;
pub mod introspect;
pub mod logout;
pub mod par;
pub mod pkce;
pub mod request_object;
pub mod state;
pub mod step_up;
pub mod token;
pub mod tokens;
pub mod userinfo;

pub use state::OidcState;
