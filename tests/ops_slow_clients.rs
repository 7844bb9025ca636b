//! Connections that hold a node without finishing a request: a request head sent slowly, a
//! keep-alive connection left idle, more connections than `server.max_connections`, a request body
//! that stops arriving or trickles in (`server.body_read_timeout_secs`). The server is
//! the tests' usual one, which runs the listener `vhod serve` runs (`server::listen`).

mod common;

use common::*;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

async fn server(header_read_timeout_secs: u64, max_connections: usize) -> TestServer {
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    config.server.header_read_timeout_secs = header_read_timeout_secs;
    config.server.max_connections = max_connections;
    TestServer::start_with(&backend, config).await
}

async fn server_with_body_timeout(body_read_timeout_secs: u64) -> TestServer {
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    config.server.body_read_timeout_secs = body_read_timeout_secs;
    TestServer::start_with(&backend, config).await
}

/// A POST to `path` whose head promises a 200-byte body, `headers` added; of the body it sends
/// `parts`, one every `every`, then nothing. Returns what the server sent until it closed the
/// connection (or 10 s passed) and whether it closed.
async fn post_slowly(
    t: &TestServer,
    path: &str,
    headers: &str,
    parts: &[&str],
    every: Duration,
) -> (String, bool) {
    let mut stream = connect(t).await;
    let head =
        format!("POST {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Content-Length: 200\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    for part in parts {
        tokio::time::sleep(every).await;
        // The server may already have answered and closed: later parts then fail to send.
        if stream.write_all(part.as_bytes()).await.is_err() {
            break;
        }
    }
    read_until_closed(&mut stream, Duration::from_secs(10)).await
}

async fn connect(t: &TestServer) -> TcpStream {
    TcpStream::connect(&t.config.server.bind).await.unwrap()
}

/// Reads until the server closes the connection (or `bound` passes): what it sent, and whether
/// it closed.
async fn read_until_closed(stream: &mut TcpStream, bound: Duration) -> (String, bool) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + bound;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into(), true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&got).into(), false),
        }
    }
}

/// Sends GET /healthz and reads its whole answer ("ok", keep-alive).
async fn healthz(stream: &mut TcpStream) -> String {
    stream.write_all(HEALTHZ).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).ends_with("ok") {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("an answer within 10 s")
            .unwrap();
        assert!(
            n > 0,
            "closed before the answer: {}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&got).into()
}

#[tokio::test]
async fn a_request_head_not_finished_within_the_timeout_closes_the_connection() {
    let t = server(1, 100).await;
    let mut slow = connect(&t).await;
    // Half a request head, then nothing (a slow client sends a byte now and then; this one stops).
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: local")
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(&mut slow, Duration::from_secs(10)).await;
    assert!(closed, "still open 10 s after a 1 s head timeout");
    assert!(!answer.contains("200 OK"), "{answer}");
    // A client that sends its request in time is served.
    let mut prompt = connect(&t).await;
    assert!(healthz(&mut prompt).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_timeout() {
    let t = server(1, 100).await;
    let mut idle = connect(&t).await;
    let first = healthz(&mut idle).await;
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    // The connection stays open for the next request until the timeout; then the server closes it.
    let (more, closed) = read_until_closed(&mut idle, Duration::from_secs(10)).await;
    assert!(
        closed,
        "an idle keep-alive connection is still open after 10 s"
    );
    assert!(more.is_empty(), "nothing more was sent: {more}");
}

#[tokio::test]
async fn connections_beyond_the_bound_wait_until_one_closes() {
    let t = server(60, 2).await;
    let mut first = connect(&t).await;
    let mut second = connect(&t).await;
    assert!(healthz(&mut first).await.starts_with("HTTP/1.1 200"));
    assert!(healthz(&mut second).await.starts_with("HTTP/1.1 200"));
    // Both are kept alive: a third connection is accepted by the kernel but not served.
    let mut third = connect(&t).await;
    third.write_all(HEALTHZ).await.unwrap();
    let mut buf = [0u8; 256];
    let early = tokio::time::timeout(Duration::from_millis(500), third.read(&mut buf)).await;
    assert!(
        early.is_err(),
        "a third connection was served while two were open"
    );
    // One closes: the third is served.
    drop(first);
    let n = tokio::time::timeout(Duration::from_secs(10), third.read(&mut buf))
        .await
        .expect("served once a connection closed")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The second is still served on its own connection.
    assert!(healthz(&mut second).await.starts_with("HTTP/1.1 200"));
}

const FORM: &str = "Content-Type: application/x-www-form-urlencoded\r\n";

#[tokio::test]
async fn a_request_body_that_stops_arriving_is_answered_408_and_the_connection_closed() {
    let t = server_with_body_timeout(1).await;
    let started = std::time::Instant::now();
    let (answer, closed) = post_slowly(
        &t,
        "/token",
        FORM,
        &["grant_type=client_credentials&scope="],
        Duration::ZERO,
    )
    .await;
    assert!(closed, "still open 10 s after a 1 s body timeout: {answer}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""error":"invalid_request""#), "{answer}");
    assert!(answer.contains("did not arrive in time"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_request_body_sent_a_byte_at_a_time_is_cut_at_the_deadline() {
    let t = server_with_body_timeout(1).await;
    // Every byte comes within 200 ms, the whole would take 40 s.
    let bytes: Vec<String> = "grant_type=client_credentials"
        .chars()
        .map(String::from)
        .collect();
    let parts: Vec<&str> = bytes.iter().map(String::as_str).collect();
    let (answer, closed) =
        post_slowly(&t, "/token", FORM, &parts, Duration::from_millis(200)).await;
    assert!(closed, "{answer}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_late_form_gets_a_page_in_the_persons_language_the_admin_api_a_problem_esia_a_code() {
    let t = server_with_body_timeout(1).await;
    let part = ["phone=%2B7"];
    let english = format!("{FORM}Accept-Language: en\r\n");
    let (answer, closed) = post_slowly(&t, "/register", &english, &part, Duration::ZERO).await;
    assert!(closed && answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("text/html"), "{answer}");
    assert!(
        answer.contains("The form took too long to arrive"),
        "{answer}"
    );
    let russian = format!("{FORM}Accept-Language: ru\r\n");
    let (answer, _) = post_slowly(&t, "/register", &russian, &part, Duration::ZERO).await;
    assert!(
        answer.contains("Форма передавалась слишком долго"),
        "{answer}"
    );
    let json = "Content-Type: application/json\r\nAuthorization: Bearer x\r\n";
    let (answer, closed) = post_slowly(
        &t,
        "/admin/api/clients",
        json,
        &[r#"{"name":"#],
        Duration::ZERO,
    )
    .await;
    assert!(closed && answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    // ESIA's token endpoint: an ESIA code for the portal's server.
    let (answer, closed) = post_slowly(
        &t,
        "/aas/oauth2/v3/te",
        FORM,
        &["client_id="],
        Duration::ZERO,
    )
    .await;
    assert!(closed && answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("ESIA-007003"), "{answer}");
    // The answer quotes the request's own id.
    let id = answer
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .expect("x-request-id");
    assert!(
        answer.contains(&format!(r#""request_id":"{id}""#)),
        "{answer}"
    );
}

#[tokio::test]
async fn a_body_that_arrives_within_the_deadline_is_served_as_usual() {
    let t = server_with_body_timeout(2).await;
    // 200 bytes in two halves 300 ms apart: an unknown client, so the usual 401, not 408.
    let body = format!(
        "grant_type=client_credentials&client_id=nobody&client_secret={}",
        "s".repeat(139)
    );
    assert_eq!(body.len(), 200);
    let (first, second) = body.split_at(100);
    let headers = format!("{FORM}Connection: close\r\n");
    let (answer, closed) = post_slowly(
        &t,
        "/token",
        &headers,
        &[first, second],
        Duration::from_millis(300),
    )
    .await;
    assert!(closed, "{answer}");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("invalid_client"), "{answer}");
}
