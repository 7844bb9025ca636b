//! The audit log read a page or a chunk at a time: no reader holds more than one page of it in
//! memory nor runs a statement longer than a request's deadline, however long the log has grown.
//! The log only grows at its head — an entry's position is the one after the head its writer read
//! under the chain's lock (store/change.rs) — so a walk by position (`seq > after`) over several
//! statements misses nothing and sees nothing twice.

use super::audit::{AuditRow, COLS, GENESIS, entry_hash};
use super::{Backend, Store, StoreError};

/// Entries a statement reads when the log is walked whole (the chain's check, the CLI's export).
pub const AUDIT_CHUNK: i64 = 5_000;

/// Where a page of the log starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAt {
    /// The newest entries.
    Newest,
    /// Entries before this position (older).
    Before(i64),
    /// Entries after this position (newer).
    After(i64),
}

/// A page of the log as the console asks for it: the entries whose actor, action and target each
/// contain the part given (as written: case counts, no wildcards; empty matches any), written at
/// or after `from` and before `until` (unix seconds), at most `limit` of them from `at`.
pub struct AuditPage<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub at: AuditAt,
    pub limit: i64,
}

/// What a walk of the chain found: how many entries it read, and the first bad one and why.
#[derive(Debug, PartialEq, Eq)]
pub struct ChainCheck {
    pub entries: i64,
    pub broken: Option<(i64, &'static str)>,
}

impl Store {
    /// At most `limit` entries after position `after` written at or after `since`, oldest first:
    /// one statement within the request's deadline.
    pub async fn audit_after(
        &self,
        since: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM audit_log WHERE seq > $1 AND at >= $2 ORDER BY seq LIMIT $3"
        ))
        .bind(after)
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every entry written at or after `since`, oldest first, read a chunk at a time — for tests
    /// and small logs: it returns the whole of it (the CLI's export writes each chunk out instead).
    pub async fn audit_since(&self, since: i64) -> Result<Vec<AuditRow>, StoreError> {
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let chunk = self.audit_after(since, after, AUDIT_CHUNK).await?;
            let full = chunk.len() as i64 == AUDIT_CHUNK;
            after = chunk.last().map_or(after, |r| r.seq);
            all.extend(chunk);
            if !full {
                return Ok(all);
            }
        }
    }

    /// A page of the log, newest first (see [`AuditPage`]). The parts are matched in the
    /// database; each statement ends at the request's deadline, so on a long log a search by text
    /// alone may have to be narrowed by dates.
    pub async fn audit_page(&self, q: &AuditPage<'_>) -> Result<Vec<AuditRow>, StoreError> {
        let contains = match self.backend {
            Backend::Sqlite => "instr",
            Backend::Postgres => "strpos",
        };
        let mut sql = format!("SELECT {COLS} FROM audit_log WHERE 1 = 1");
        let mut texts = Vec::new();
        for (column, part) in [
            ("actor", q.actor),
            ("action", q.action),
            ("target", q.target),
        ] {
            if !part.is_empty() {
                texts.push(part);
                sql += &format!(" AND {contains}({column}, ${}) > 0", texts.len());
            }
        }
        let mut numbers = Vec::new();
        let mut bound = |sql: &mut String, condition: &str, value: i64| {
            numbers.push(value);
            *sql += &format!(" AND {condition} ${}", texts.len() + numbers.len());
        };
        if let Some(from) = q.from {
            bound(&mut sql, "at >=", from);
        }
        if let Some(until) = q.until {
            bound(&mut sql, "at <", until);
        }
        let order = match q.at {
            AuditAt::Newest => "DESC",
            AuditAt::Before(seq) => {
                bound(&mut sql, "seq <", seq);
                "DESC"
            }
            AuditAt::After(seq) => {
                bound(&mut sql, "seq >", seq);
                "ASC"
            }
        };
        sql += &format!(
            " ORDER BY seq {order} LIMIT ${}",
            texts.len() + numbers.len() + 1
        );
        let mut query = sqlx::query_as::<_, AuditRow>(&sql);
        for part in texts {
            query = query.bind(part);
        }
        for n in numbers {
            query = query.bind(n);
        }
        let mut rows = query.bind(q.limit).fetch_all(&self.pool).await?;
        if order == "ASC" {
            rows.reverse();
        }
        Ok(rows)
    }

    /// Walks the whole chain; `Ok(None)` when intact, else the first bad position and why.
    pub async fn verify_audit(&self) -> Result<Option<(i64, &'static str)>, StoreError> {
        Ok(self.audit_chain(AUDIT_CHUNK).await?.broken)
    }

    /// Walks the whole chain `chunk` entries a statement, holding one chunk at a time: each
    /// entry must follow the one before it (`prev_hash`), hash to what it says, and sit at the
    /// next position (a deleted entry is missed there).
    pub async fn audit_chain(&self, chunk: i64) -> Result<ChainCheck, StoreError> {
        let chunk = chunk.max(1);
        let mut prev = GENESIS.to_string();
        let mut entries = 0;
        loop {
            let rows = self.audit_after(i64::MIN, entries, chunk).await?;
            let full = rows.len() as i64 == chunk;
            for r in rows {
                let broken = if r.seq != entries + 1 {
                    Some((entries + 1, "missing entry"))
                } else if r.prev_hash != prev {
                    Some((r.seq, "does not follow the previous entry"))
                } else if entry_hash(
                    &prev,
                    r.seq,
                    r.at,
                    &r.actor,
                    &r.action,
                    &r.target,
                    &r.request_id,
                    &r.details,
                ) != r.hash
                {
                    Some((r.seq, "content does not match its hash"))
                } else {
                    None
                };
                if broken.is_some() {
                    return Ok(ChainCheck { entries, broken });
                }
                entries = r.seq;
                prev = r.hash;
            }
            if !full {
                return Ok(ChainCheck {
                    entries,
                    broken: None,
                });
            }
        }
    }
}
