//! One request id per request: made (or, from a trusted proxy, taken from `X-Request-Id`) by the
//! server's request-id layer, carried in a task-local for the life of the request, and read here
//! by everything that names the request: the log span, error pages, OAuth and problem+json error
//! bodies, and the audit entry the request writes. Outside a request (background jobs, the CLI)
//! each call makes a fresh id.

use std::future::Future;

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being served, or a fresh one outside a request.
pub fn current() -> String {
    CURRENT.try_with(Clone::clone).unwrap_or_else(|_| fresh())
}

/// A new id: 12 characters (72 random bits), short enough to read out to support. Not a secret,
/// so the thread-local generator serves (no system call per request).
pub fn fresh() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 9];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Runs `f` as the request `id`.
pub async fn scope<F: Future>(id: String, f: F) -> F::Output {
    CURRENT.scope(id, f).await
}

/// An incoming id worth keeping: 1–64 characters of letters, digits, `-`, `_`, `.`.
pub fn is_acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_id_is_the_same_throughout_a_request_and_fresh_outside() {
        let inside = scope("abc-123".into(), async { (current(), current()) }).await;
        assert_eq!(inside, ("abc-123".to_string(), "abc-123".to_string()));
        assert_ne!(current(), current());
        assert_eq!(current().len(), 12);
    }

    #[test]
    fn only_plain_ids_are_kept() {
        assert!(is_acceptable("0f3c-aa_1.b"));
        assert!(!is_acceptable(""));
        assert!(!is_acceptable("a b"));
        assert!(!is_acceptable("x\r\ny"));
        assert!(!is_acceptable(&"a".repeat(65)));
    }
}
