//! The scenarios: what one worker does per iteration, and what it needs first (tokens from a
//! sign-in, made before the clock starts). Every answer is checked, not only its status.

use crate::http::{Nodes, ok_body};
use crate::signin::{self, Citizen};

pub const NAMES: [&str; 6] = [
    "signin",
    "refresh",
    "cc",
    "userinfo",
    "introspect",
    "discovery",
];

/// What all workers of one run share.
pub struct Env {
    pub http: reqwest::Client,
    pub nodes: Nodes,
    pub citizen: Citizen,
    /// The client_credentials client (ES256 access tokens) and the scope it asks for.
    pub cc_id: String,
    pub cc_secret: String,
    pub cc_scope: String,
}

/// One worker's state.
pub enum Worker {
    /// A complete sign-in per iteration.
    Signin,
    /// Rotates its own refresh token: each answer's refresh_token is the next request's.
    Refresh(String),
    ClientCredentials,
    Userinfo(String),
    Introspect(String),
    /// Discovery and the JWK Set, alternately.
    Discovery(bool),
}

impl Worker {
    /// The worker for `scenario`, after the sign-in its tokens come from (not timed).
    pub async fn new(scenario: &str, env: &Env) -> Result<Worker, String> {
        let tokens = || signin::flow(&env.http, &env.nodes, &env.citizen);
        let take = |v: &serde_json::Value, k: &str| {
            v[k].as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("setup sign-in: no {k}"))
        };
        Ok(match scenario {
            "signin" => Worker::Signin,
            "refresh" => Worker::Refresh(take(&tokens().await?, "refresh_token")?),
            "cc" => Worker::ClientCredentials,
            "userinfo" => Worker::Userinfo(take(&tokens().await?, "access_token")?),
            "introspect" => Worker::Introspect(take(&tokens().await?, "access_token")?),
            "discovery" => Worker::Discovery(false),
            other => return Err(format!("unknown scenario {other} (one of {NAMES:?})")),
        })
    }

    pub async fn step(&mut self, env: &Env) -> Result<(), String> {
        let e = |x: reqwest::Error| x.to_string();
        let c = &env.citizen;
        match self {
            Worker::Signin => signin::flow(&env.http, &env.nodes, c).await.map(drop),
            Worker::Refresh(rt) => {
                let res = env
                    .http
                    .post(env.nodes.url("/token"))
                    .basic_auth(&c.client_id, Some(&c.client_secret))
                    .form(&[("grant_type", "refresh_token"), ("refresh_token", rt)])
                    .send()
                    .await
                    .map_err(e)?;
                let body = ok_body(res, "refresh").await?;
                let v: serde_json::Value =
                    serde_json::from_str(&body).map_err(|x| x.to_string())?;
                match (v["access_token"].as_str(), v["refresh_token"].as_str()) {
                    (Some(_), Some(next)) => {
                        *rt = next.to_owned();
                        Ok(())
                    }
                    _ => Err(format!("refresh: no access_token or refresh_token: {body}")),
                }
            }
            Worker::ClientCredentials => {
                let res = env
                    .http
                    .post(env.nodes.url("/token"))
                    .basic_auth(&env.cc_id, Some(&env.cc_secret))
                    .form(&[
                        ("grant_type", "client_credentials"),
                        ("scope", &env.cc_scope),
                    ])
                    .send()
                    .await
                    .map_err(e)?;
                expect(
                    ok_body(res, "client_credentials").await?,
                    "\"access_token\"",
                )
            }
            Worker::Userinfo(at) => {
                let res = env
                    .http
                    .get(env.nodes.url("/userinfo"))
                    .bearer_auth(at)
                    .send()
                    .await
                    .map_err(e)?;
                expect(ok_body(res, "userinfo").await?, "\"sub\"")
            }
            Worker::Introspect(at) => {
                let res = env
                    .http
                    .post(env.nodes.url("/introspect"))
                    .basic_auth(&c.client_id, Some(&c.client_secret))
                    .form(&[("token", at.as_str())])
                    .send()
                    .await
                    .map_err(e)?;
                expect(ok_body(res, "introspect").await?, "\"active\":true")
            }
            Worker::Discovery(jwks) => {
                *jwks = !*jwks;
                let (path, marker) = if *jwks {
                    ("/jwks", "\"keys\"")
                } else {
                    ("/.well-known/openid-configuration", "\"issuer\"")
                };
                let res = env.http.get(env.nodes.url(path)).send().await.map_err(e)?;
                expect(ok_body(res, path).await?, marker)
            }
        }
    }
}

fn expect(body: String, marker: &str) -> Result<(), String> {
    if body.contains(marker) {
        Ok(())
    } else {
        Err(format!(
            "answer without {marker}: {}",
            body.chars().take(200).collect::<String>()
        ))
    }
}
