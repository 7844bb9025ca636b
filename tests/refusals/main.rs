//! Every refusal of the spine, with the exact error a portal or a person sees.

#[path = "../common/mod.rs"]
mod common;

use common::*;

/// A token request form, the expected status and the expected `error`.
type TokenCase<'a> = (&'a [(&'a str, &'a str)], u16, &'a str);

async fn setup(backend: &Backend) -> (TestServer, String, String) {
    let t = TestServer::start(backend).await;
    let (client_id, secret) = t.add_client(REDIRECT, false).await;
    t.add_person("citizen@example.org").await;
    (t, client_id, secret.unwrap())
}

mod codes_and_tokens;
mod forms_and_logins;
