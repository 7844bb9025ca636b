//! The whole sign-in as a portal sees it, with the `openidconnect` crate as the relying party.

#[path = "../common/mod.rs"]
mod common;

use common::*;
use openidconnect::core::{CoreAuthenticationFlow, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, Scope,
    TokenResponse,
};

mod flows;
mod provider;
