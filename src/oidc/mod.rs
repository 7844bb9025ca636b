//! The OpenID Connect protocol surface: discovery, JWKS, authorize, consent, token, userinfo,
//! and sign-in approved on another device (the device grant, CIBA).

pub mod authorize;
pub mod authorize_request;
pub mod backchannel_pages;
pub mod backchannel_token;
pub mod body_limit;
pub mod ciba;
pub mod ciba_page;
pub mod claims;
pub mod claims_identity;
pub mod client_assertion;
pub mod client_auth;
pub mod client_keys;
pub mod consent;
pub mod consent_items;
pub mod device;
pub mod device_page;
pub mod discovery;
pub mod dpop;
pub mod error;
pub mod id_token_hint;
pub mod introspect;
pub mod logout;
pub mod par;
pub mod pkce;
pub mod public_quota;
pub mod request_object;
pub mod state;
pub mod step_up;
pub mod token;
pub mod token_cache;
pub mod tokens;
pub mod userinfo;

pub use state::OidcState;
