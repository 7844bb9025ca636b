//! The audit log: every entry's hash covers the previous entry's hash and its own canonical form,
//! so changing, inserting or deleting any row breaks the chain from that row on. Entries are
//! written by `store/change.rs`: in the transaction of the change they record; read a page or a
//! chunk at a time by `store/audit_reads.rs`.

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub request_id: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

pub struct AuditEntry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub request_id: &'a str,
    pub details: serde_json::Value,
}

/// The hash of the chain before its first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
pub(super) const COLS: &str =
    "seq, at, actor, action, target, request_id, details, prev_hash, hash";

/// SHA-256 over the previous hash and the entry as a JSON array (a fixed, unambiguous encoding).
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    target: &str,
    request_id: &str,
    details: &str,
) -> String {
    let canonical =
        serde_json::json!([seq, at, actor, action, target, request_id, details]).to_string();
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}
