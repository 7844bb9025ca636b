//! A dependency that goes away under a node: a free port for a server the test starts, and an
//! authorization request (it needs the cache: the login transaction lives there) with its status,
//! Retry-After and how long the answer took.

use super::{no_redirect_client, urlencode};
use std::time::{Duration, Instant};

/// A port nothing listens on now (the kernel's choice, released at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET /authorize` of `client_id` with `redirect`: (status, Retry-After, time to the answer).
pub async fn authorize_timed(
    base: &str,
    client_id: &str,
    redirect: &str,
) -> (u16, Option<String>, Duration) {
    let started = Instant::now();
    let url = format!(
        "{base}/authorize?response_type=code&scope=openid&client_id={client_id}&redirect_uri={}\
         &state=s1&nonce=n1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
         &code_challenge_method=S256",
        urlencode(redirect)
    );
    let res = no_redirect_client().get(url).send().await.unwrap();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), retry, started.elapsed())
}

/// The answer of a request made while a dependency is away: 503 with Retry-After in seconds,
/// within `bound` (no hang).
pub fn assert_unavailable(answer: &(u16, Option<String>, Duration), bound: Duration, what: &str) {
    let (status, retry, took) = answer;
    assert_eq!(*status, 503, "{what}");
    assert!(
        retry
            .as_deref()
            .and_then(|r| r.parse::<u64>().ok())
            .is_some(),
        "{what}: Retry-After in seconds: {retry:?}"
    );
    assert!(took < &bound, "{what}: answered in {took:?}, not hung");
}
