//! The named security regression suite (issue 16): one test per attack, named after the threat
//! catalogue it comes from, each run against the live server on every backend.

#[path = "../common/mod.rs"]
mod common;
#[path = "../esia_rp/mod.rs"]
mod esia_rp;
#[path = "../orgs/support.rs"]
mod orgs_support;
#[path = "../common/pki.rs"]
mod pki;
mod support;

mod asvs_v13_api;
mod asvs_v14_config;
mod asvs_v2_authn;
mod asvs_v3_sessions;
mod asvs_v4_access;
mod asvs_v5_validation;
mod asvs_v7_logs;
mod csrf;
mod enumeration;
mod esia;
mod headers_roles;
mod oidc_threats;
mod rfc9700;
mod ssrf;
mod xss;
