//! vhod: an ESIA-style unified identity provider (OpenID Connect provider for government portals).

pub mod admin;
pub mod app;
pub mod authn;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod dev_mode;
pub mod identity;
pub mod jobs;
pub mod lang;
pub mod notify;
pub mod oidc;
pub mod outbound;
pub mod params;
pub mod store;
pub mod web;

pub use app::{AppState, build_app};
