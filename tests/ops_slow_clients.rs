//! Connections that hold a node without finishing a request: a request head sent slowly, a
//! keep-alive connection left idle, more connections than `server.max_connections`. The server is
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
