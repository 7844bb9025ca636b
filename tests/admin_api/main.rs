//! The admin API: every endpoint refuses no token, an expired bootstrap token, the wrong role and an
//! insufficient acr; what it does is audited; the OpenAPI document matches the routes.

#[path = "../common/mod.rs"]
mod common;

use common::*;
use serde_json::{Value, json};
use vhod::admin::auth::{CONSOLE_CLIENT, issue_bootstrap_token};
use vhod::admin::{OPS, Role};
use vhod::clients::{self, NewClient};

async fn call(
    t: &TestServer,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String, Value) {
    let url = format!("{}{path}", t.base);
    let http = no_redirect_client();
    let mut req = match method {
        "get" => http.get(url),
        "post" => http.post(url),
        "delete" => http.delete(url),
        _ => unreachable!(),
    };
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, res.json().await.unwrap_or(Value::Null))
}

fn concrete(path: &str) -> String {
    path.replace("{kid}", "no-such-kid")
        .replace("{client_id}", "no-such-client")
}

mod access;
mod portals;
