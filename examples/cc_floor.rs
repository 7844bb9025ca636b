//! The floor of a client_credentials token answer on this machine: a server that does only what
//! no token endpoint can leave out — read one HTTP/1.1 POST, compare the client's Basic credentials
//! in constant time, sign a fresh ES256 JWT access token (iss, sub, aud, iat, exp, jti, scope,
//! client_id) and send it back as JSON on a kept-alive connection. No routing, no middleware, no
//! store, no logging, no metrics. Whatever its rate under `benches/compare/post.lua` is, no token
//! endpoint built on this kernel's loopback TCP and this signature can beat it, so it bounds the
//! targets "client_credentials ≥ 10× oidc-provider" and "≥ 0.7 × one-core ES256 signing".
//!
//!     cargo run --release --example cc_floor -- --mode raw|axum --port 18611 [--threads N]
//!     cargo run --release --example cc_floor -- --mode sign      # one-core signing rate, 3 s
//!
//! `raw` parses HTTP by hand on tokio sockets; `axum` is one axum route with no layers (the
//! framework's own floor). `--threads 0` runs tokio's current-thread runtime, else a multi-thread
//! runtime with N workers (default 2, as vhod on this machine). Benchmark instrument only.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const AUTH: &str = "Basic Zmxvb3I6Zmxvb3Itc2VjcmV0"; // floor:floor-secret

struct Signer {
    key: EcdsaKeyPair,
    rng: SystemRandom,
    header: String,
}

impl Signer {
    fn new() -> Signer {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        Signer {
            key,
            rng,
            header: B64.encode(br#"{"alg":"ES256","typ":"at+jwt","kid":"floor"}"#),
        }
    }

    /// The JSON token answer with a fresh signed access token.
    fn answer(&self, scope: &str) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut jti = [0u8; 16];
        self.rng.fill(&mut jti).unwrap();
        let claims = serde_json::json!({
            "iss": "http://127.0.0.1", "sub": "floor", "aud": "http://127.0.0.1",
            "client_id": "floor", "iat": now, "exp": now + 300,
            "jti": hex::encode(jti), "scope": scope,
        });
        let input = format!("{}.{}", self.header, B64.encode(claims.to_string()));
        let sig = self.key.sign(&self.rng, input.as_bytes()).unwrap();
        let token = format!("{input}.{}", B64.encode(sig.as_ref()));
        serde_json::json!({
            "access_token": token, "token_type": "Bearer", "expires_in": 300, "scope": scope,
        })
        .to_string()
    }
}

fn authorised(given: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    given.len() == AUTH.len() && bool::from(given.ct_eq(AUTH.as_bytes()))
}

fn scope_of(body: &[u8]) -> String {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn raw_connection(mut sock: tokio::net::TcpStream, signer: Arc<Signer>) {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        // One request: headers up to the blank line, then Content-Length bytes of body.
        let (head_end, length, auth_ok) = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&buf[..end]).unwrap_or("");
                let mut length = 0usize;
                let mut auth_ok = false;
                for line in head.split("\r\n").skip(1) {
                    let Some((name, value)) = line.split_once(':') else {
                        continue;
                    };
                    let value = value.trim();
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.parse().unwrap_or(0);
                    } else if name.eq_ignore_ascii_case("authorization") {
                        auth_ok = authorised(value.as_bytes());
                    }
                }
                break (end + 4, length, auth_ok);
            }
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        while buf.len() < head_end + length {
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let (status, body) = if auth_ok {
            let scope = scope_of(&buf[head_end..head_end + length]);
            ("200 OK", signer.answer(&scope))
        } else {
            (
                "401 Unauthorized",
                r#"{"error":"invalid_client"}"#.to_string(),
            )
        };
        buf.drain(..head_end + length);
        let out = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncache-control: no-store\r\n\
             content-length: {}\r\n\r\n{body}",
            body.len()
        );
        if sock.write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn axum_token(
    axum::extract::State(signer): axum::extract::State<Arc<Signer>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let ok = headers
        .get("authorization")
        .is_some_and(|v| authorised(v.as_bytes()));
    if !ok {
        return (axum::http::StatusCode::UNAUTHORIZED, "invalid_client").into_response();
    }
    (
        [
            ("content-type", "application/json"),
            ("cache-control", "no-store"),
        ],
        signer.answer(&scope_of(&body)),
    )
        .into_response()
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

fn main() {
    let mode = arg("--mode", "raw");
    let port = arg("--port", "18611");
    let threads: usize = arg("--threads", "2").parse().expect("--threads N");
    let signer = Arc::new(Signer::new());
    if mode == "sign" {
        // As the load driver's `es256` ceiling: signatures over a token-sized input, one thread.
        let input = "e".repeat(420);
        let rate = |what: &dyn Fn()| {
            let started = Instant::now();
            let mut n = 0u32;
            while started.elapsed().as_secs_f64() < 3.0 {
                what();
                n += 1;
            }
            f64::from(n) / started.elapsed().as_secs_f64()
        };
        let sign = rate(&|| {
            std::hint::black_box(signer.key.sign(&signer.rng, input.as_bytes()).unwrap());
        });
        let answer = rate(&|| {
            std::hint::black_box(signer.answer("api.read"));
        });
        println!(
            "one-core ES256 signatures {sign:.0}/s; whole token answers (no HTTP) {answer:.0}/s"
        );
        return;
    }
    let rt = if threads == 0 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    }
    .enable_all()
    .build()
    .unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
            .await
            .unwrap();
        eprintln!("cc_floor {mode} on 127.0.0.1:{port}");
        if mode == "axum" {
            let app = axum::Router::new()
                .route("/token", axum::routing::post(axum_token))
                .with_state(signer);
            axum::serve(listener, app).await.unwrap();
        } else {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    continue;
                };
                let _ = sock.set_nodelay(true);
                tokio::spawn(raw_connection(sock, signer.clone()));
            }
        }
    });
}
