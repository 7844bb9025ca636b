//! Threats to tokens, sessions and transport (issue 10, "tokens" group): tokens that outlive the
//! logout or recovery that should end them, consent bypassed by `claims`, id_token_hint accepting
//! any signed token, max_age=0 loops, HSTS, and dev mode on a public deployment.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/tokens.rs"]
mod tokens;

use common::*;
use tokens::*;

async fn portal(t: &TestServer) -> (String, String) {
    let (id, secret) = t.add_client(REDIRECT, false).await;
    (id, secret.unwrap())
}

mod sessions;
mod startup;
