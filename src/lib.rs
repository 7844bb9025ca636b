//! vhod: an ESIA-style unified identity provider (OpenID Connect provider for government portals).

// One `unsafe` call in the crate, allowed where it is (crypto/password/block_memory.rs).
#![deny(unsafe_code)]

pub mod admin;
pub mod authn;
pub mod cache;
pub mod cli;
pub mod clients;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod ctx;
pub mod demo;
pub mod dev_mode;
pub mod esia;
pub mod identity;
pub mod lang;
pub mod metrics;
pub mod notify;
pub mod oidc;
pub mod orgs;
pub mod outbound;
pub mod relying_party;
pub mod request_id;
pub mod server;
pub mod store;
pub mod types;
pub mod web;

pub use ctx::Ctx;
pub use server::build_app;
