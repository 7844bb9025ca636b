//! Secrets never in logs (issue 16). In the security suite (`tests/security/`) the process's log is
//! the production JSON format (`vhod::server::logging`), captured in memory as well as shown with a
//! failing test; every secret the harness handles is noted here — passwords and codes typed into
//! forms, session and CSRF cookies, codes in redirects, tokens in token responses, client secrets,
//! one-time codes and links in the messages sent — and when a server is dropped the log written so
//! far is searched for every secret noted so far: one leak fails the test that is running then.
//! Other test binaries keep their readable text log and do not search.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

/// Form fields and cookies whose values are secrets.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "password2",
    "code",
    "token",
    "csrf",
    "invitation",
    "client_secret",
    "refresh_token",
    "access_token",
    "id_token",
    "recovery_code",
];
const SECRET_COOKIES: &[&str] = &[
    "vhod_sid",
    "vhod_csrf",
    "vhod_2fa",
    "vhod_admin",
    "vhod_bank",
    "vhod_admin_oidc",
];
/// Shorter values are not searched (a six-digit code is the shortest secret vhod issues).
const MIN_LEN: usize = 6;

#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Default)]
struct Secrets {
    list: Vec<String>,
    seen: HashSet<String>,
    /// How much of the log, and how many secrets, earlier searches covered.
    log_searched: usize,
    secrets_searched: usize,
}

fn secrets() -> &'static Mutex<Secrets> {
    static S: OnceLock<Mutex<Secrets>> = OnceLock::new();
    S.get_or_init(Default::default)
}

/// Whether this binary is the security suite (the module path names the test crate).
pub fn searching() -> bool {
    module_path!().starts_with("security::")
}

/// The captured log (security suite only; empty elsewhere).
pub fn log() -> &'static Capture {
    static LOG: OnceLock<Capture> = OnceLock::new();
    LOG.get_or_init(Capture::default)
}

/// The process's log subscriber: JSON, captured and shown with a failing test, in the security
/// suite; readable text elsewhere.
pub fn install_subscriber() {
    use tracing_subscriber::fmt::writer::{MakeWriterExt, TestWriter};
    if searching() {
        static ONCE: OnceLock<()> = OnceLock::new();
        ONCE.get_or_init(|| {
            let capture = log().clone();
            let writer = TestWriter::new().and(move || capture.clone());
            // The production default filter: everything at info.
            vhod::server::logging::init_with(
                "json",
                writer,
                tracing_subscriber::EnvFilter::new("info"),
            );
            note(super::PASSWORD);
        });
    } else {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(tracing_subscriber::EnvFilter::new("vhod=info"))
            .try_init();
    }
}

/// Remembers a secret the harness handled.
pub fn note(secret: &str) {
    if !searching() || secret.len() < MIN_LEN {
        return;
    }
    let mut s = secrets().lock().unwrap();
    if s.seen.insert(secret.to_string()) {
        s.list.push(secret.to_string());
    }
}

pub fn note_form<K: AsRef<str>, V: AsRef<str>>(fields: &[(K, V)]) {
    for (k, v) in fields {
        if SECRET_FIELDS.contains(&k.as_ref()) {
            note(v.as_ref());
        }
    }
}

/// Secrets in a response's headers: cookies set, and query parameters of the redirect target.
pub fn note_response(res: &reqwest::Response) {
    if !searching() {
        return;
    }
    for cookie in res.cookies() {
        if SECRET_COOKIES.contains(&cookie.name()) {
            note(cookie.value());
        }
    }
    if let Some(Ok(to)) = res
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|v| v.to_str())
        && let Ok(url) = url::Url::parse(to).or_else(|_| url::Url::parse("http://x/")?.join(to))
    {
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        note_form(&pairs);
    }
}

/// The tokens of a token (or any OAuth JSON) response.
pub fn note_json(body: &serde_json::Value) {
    for key in SECRET_FIELDS {
        if let Some(v) = body[key].as_str() {
            note(v);
        }
    }
}

/// One-time codes (runs of six or more digits) and link tokens in a message sent to a person.
pub fn note_message(text: &str) {
    for word in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_') {
        let digits = word.chars().all(|c| c.is_ascii_digit());
        if (digits && (6..=8).contains(&word.len())) || word.len() >= 32 {
            note(word);
        }
    }
}

/// Where `secret` occurs in `log` as a whole word (short secrets) or anywhere (long ones), as is
/// or percent-encoded.
pub fn occurs(log: &str, secret: &str) -> bool {
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    [secret.to_string(), encoded].iter().any(|s| {
        log.match_indices(s.as_str()).any(|(at, _)| {
            if s.len() >= 16 {
                return true;
            }
            let before = log[..at].chars().next_back();
            let after = log[at + s.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            !word(before) && !word(after)
        })
    })
}

/// Searches the log written since the last search for every secret, and the whole log for the
/// secrets noted since; panics naming each leak (with the log line).
pub fn assert_none_logged() {
    if !searching() || std::thread::panicking() {
        return;
    }
    let mut s = secrets().lock().unwrap();
    let log = log().0.lock().unwrap();
    let text = String::from_utf8_lossy(&log);
    let mut from = s.log_searched.min(text.len());
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let new_log = &text[from..];
    let mut leaks = Vec::new();
    for (i, secret) in s.list.iter().enumerate() {
        let haystack: &str = if i < s.secrets_searched {
            new_log
        } else {
            &text
        };
        if occurs(haystack, secret) {
            let line = haystack
                .lines()
                .find(|l| occurs(l, secret))
                .unwrap_or_default();
            leaks.push(format!("{secret:?} in: {line}"));
        }
    }
    s.log_searched = text.len();
    s.secrets_searched = s.list.len();
    drop(log);
    assert!(
        leaks.is_empty(),
        "secrets in the log:\n{}",
        leaks.join("\n")
    );
}

/// The captured log as text.
pub fn text() -> String {
    String::from_utf8_lossy(&log().0.lock().unwrap()).to_string()
}

/// (secrets noted, log bytes captured): for the suite's own check that it searches something.
pub fn coverage() -> (usize, usize) {
    let n = secrets().lock().unwrap().list.len();
    (n, log().0.lock().unwrap().len())
}
