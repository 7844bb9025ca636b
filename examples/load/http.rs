//! What every scenario shares: the node list (requests spread round-robin over it), a cookie jar per
//! browser, and reading a redirect or a hidden form field.

use reqwest::header::{LOCATION, SET_COOKIE};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The vhod nodes under test. Every request (each step of a sign-in too) goes to the next one, so a
/// flow started on one node is continued on the others: any node must serve any step.
#[derive(Clone)]
pub struct Nodes {
    urls: Arc<Vec<String>>,
    next: Arc<AtomicUsize>,
}

impl Nodes {
    pub fn new(list: &str) -> Nodes {
        let urls: Vec<String> = list
            .split(',')
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty())
            .collect();
        assert!(!urls.is_empty(), "no node URL given");
        Nodes {
            urls: Arc::new(urls),
            next: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The base URL of the node that takes the next request.
    pub fn pick(&self) -> &str {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        &self.urls[i % self.urls.len()]
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.pick())
    }
}

/// A browser's cookies (only what the sign-in pages set: CSRF, login transaction, session).
#[derive(Default)]
pub struct Jar(Vec<(String, String)>);

impl Jar {
    pub fn take(&mut self, res: &reqwest::Response) {
        for v in res.headers().get_all(SET_COOKIE) {
            let Some((kv, _)) = v.to_str().unwrap_or("").split_once(';') else {
                continue;
            };
            if let Some((k, v)) = kv.split_once('=') {
                self.0.retain(|(n, _)| n != k);
                self.0.push((k.to_string(), v.to_string()));
            }
        }
    }

    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

pub fn location(res: &reqwest::Response) -> Result<String, String> {
    res.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| format!("expected a redirect, got {}", res.status()))
}

pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(str::to_owned)
}

/// Fails unless the response is 2xx; the body (first 200 bytes) goes into the error.
pub async fn ok_body(res: reqwest::Response, what: &str) -> Result<String, String> {
    let status = res.status();
    let body = res.text().await.map_err(|e| format!("{what}: {e}"))?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!(
            "{what}: HTTP {status}: {}",
            body.chars().take(200).collect::<String>()
        ))
    }
}

pub fn client(concurrency: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        .tcp_nodelay(true)
        .build()
        .expect("HTTP client")
}
