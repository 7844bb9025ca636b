//! The audit log read a page or a chunk at a time: no reader holds more than one page of it in
//! memory nor runs a statement longer than a request's deadline, however long the log has grown.
//! The log only grows at its head — an entry's position is the one after the head its writer read
//! under the chain's lock (store/change.rs) — so a walk by position (`seq > after`) over several
//! statements misses nothing and sees nothing twice.

use super::audit::{AuditRow, COLS, GENESIS, entry_hash};
use super::online_indexes::AUDIT_TEXT;
use super::{Backend, Store, StoreError};

/// `query` (a `query` or a `query_as`) with the page's values bound in order.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for b in $binds {
            query = match b {
                Bind::Text(t) => query.bind(t),
                Bind::Number(n) => query.bind(n),
            };
        }
        query
    }};
}

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
    /// database, through a trigram index of the log's text when one is three characters or
    /// more and no dates are given, so a search by text alone does not read a long log whole
    /// (with dates, the entries between them are walked): on PostgreSQL the GIN
    /// index `audit_log_text` (`store::online_indexes`), used when the part is rarer than a walk
    /// of the newest entries would find; on SQLite FTS5's `audit_text` (migration 0143), its
    /// matches taken newest first. An actor's or target's part holding a UUID (an account's, a
    /// client's, an organisation's) is looked up by it instead, in keys of the UUIDs each entry's
    /// actor and target name, which give the entries in order — on PostgreSQL the b-tree indexes
    /// of `audit_uuid`, on SQLite the table `audit_uuids` (migrations 0144): a page of one
    /// person's entries costs the same however long the log.
    pub async fn audit_page(&self, q: &AuditPage<'_>) -> Result<Vec<AuditRow>, StoreError> {
        let (sql, binds, oldest_first) = self.page_query(q);
        let query = bind_all!(sqlx::query_as::<_, AuditRow>(&sql), binds);
        // PostgreSQL plans an unnamed statement for the values it is given: a generic plan,
        // made once for any part, cannot tell a rare part from a common one.
        let query = query.persistent(self.backend == Backend::Sqlite);
        let mut rows = query.fetch_all(&self.pool).await?;
        if oldest_first {
            rows.reverse();
        }
        Ok(rows)
    }

    /// The plan the database makes for [`Store::audit_page`]'s statement with these values, one
    /// line a step (`EXPLAIN`; SQLite's `EXPLAIN QUERY PLAN` details) — for tests and benches.
    pub async fn audit_page_plan(&self, q: &AuditPage<'_>) -> Result<Vec<String>, StoreError> {
        use sqlx::Row;
        let (sql, binds, _) = self.page_query(q);
        let (explain, column) = match self.backend {
            Backend::Sqlite => ("EXPLAIN QUERY PLAN", "detail"),
            Backend::Postgres => ("EXPLAIN", "QUERY PLAN"),
        };
        let sql = format!("{explain} {sql}");
        let rows = bind_all!(sqlx::query(&sql), binds)
            .persistent(false)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get::<String, _>(column))
            .collect::<Result<_, _>>()?)
    }

    /// [`Store::audit_page`]'s statement, its values in order, and whether it reads oldest first.
    fn page_query(&self, q: &AuditPage<'_>) -> (String, Vec<Bind>, bool) {
        let parts = [
            ("actor", q.actor),
            ("action", q.action),
            ("target", q.target),
        ];
        // A part of fewer than three characters has no trigram to look up. Dates bound a walk
        // of the entries written between them (index `audit_log_at`), where an identifier's
        // digits, trigrams most entries hold, would make the index's lookup read long lists
        // (audit_pages.py, ten million entries: 275 ms for a part within one day through the
        // trigram index, against 6.7 ms for the day's walk).
        let dated = q.from.is_some() || q.until.is_some();
        let indexed = |part: &str| !dated && part.chars().count() >= 3;
        // An actor's or a target's part that holds a UUID is looked up by it, dates or not:
        // its entries in order of position, however long the log (PostgreSQL: the indexes
        // `audit_log_actor_uuid`, `audit_log_target_uuid`; SQLite: the table `audit_uuids`).
        let id = parts
            .iter()
            .filter(|(column, _)| *column != "action")
            .find_map(|(column, part)| uuid_in(part).map(|u| (*column, u)));
        let fts = self.backend == Backend::Sqlite
            && id.is_none()
            && parts.iter().any(|(_, p)| indexed(p));
        let qualified = || {
            let cols: Vec<String> = COLS.split(", ").map(|c| format!("audit_log.{c}")).collect();
            cols.join(", ")
        };
        let (select, pos) = match (self.backend, id) {
            // SQLite: the UUID's rows, by position, each joined to its entry.
            (Backend::Sqlite, Some((column, _))) => (
                format!(
                    "SELECT {} FROM audit_uuids JOIN audit_log ON audit_log.seq = audit_uuids.seq \
                     WHERE audit_uuids.col = '{column}'",
                    qualified()
                ),
                "audit_uuids.seq",
            ),
            // SQLite: the index's matches, newest first, each joined to its entry.
            _ if fts => (
                format!(
                    "SELECT {} FROM audit_text JOIN audit_log ON audit_log.seq = audit_text.rowid \
                     WHERE 1 = 1",
                    qualified()
                ),
                "audit_text.rowid",
            ),
            _ => (format!("SELECT {COLS} FROM audit_log WHERE 1 = 1"), "seq"),
        };
        let mut conds = String::new();
        let mut binds = Vec::new();
        // `condition` with `$` where its value goes.
        let mut bound = |conds: &mut String, condition: &str, b: Bind| {
            binds.push(b);
            *conds += " AND ";
            *conds += &condition.replace('$', &format!("${}", binds.len()));
        };
        for (column, part) in parts {
            if part.is_empty() {
                continue;
            }
            // The index finds the entries whose text holds the part (or, its wildcards and
            // case aside, something like it); `strpos` / `instr` keeps those that hold it as
            // written in this column.
            match self.backend {
                Backend::Sqlite => {
                    if fts && indexed(part) {
                        let pattern = format!("%{part}%");
                        bound(
                            &mut conds,
                            &format!("audit_text.{column} LIKE $"),
                            text(&pattern),
                        );
                    }
                    bound(
                        &mut conds,
                        &format!("instr(audit_log.{column}, $) > 0"),
                        text(part),
                    );
                }
                Backend::Postgres => {
                    if id.is_none() && indexed(part) {
                        bound(&mut conds, &format!("{AUDIT_TEXT} LIKE $"), like(part));
                    }
                    bound(&mut conds, &format!("strpos({column}, $) > 0"), text(part));
                }
            }
        }
        if let Some(from) = q.from {
            bound(&mut conds, "audit_log.at >= $", Bind::Number(from));
        }
        if let Some(until) = q.until {
            bound(&mut conds, "audit_log.at < $", Bind::Number(until));
        }
        let oldest_first = match q.at {
            AuditAt::Newest => false,
            AuditAt::Before(seq) => {
                bound(&mut conds, &format!("{pos} < $"), Bind::Number(seq));
                false
            }
            AuditAt::After(seq) => {
                bound(&mut conds, &format!("{pos} > $"), Bind::Number(seq));
                true
            }
        };
        let order = if oldest_first { "ASC" } else { "DESC" };
        let keys = id.map(|(column, u)| {
            binds.push(text(u));
            (column, binds.len(), u == NIL_UUID)
        });
        binds.push(Bind::Number(q.limit));
        let page = format!(" ORDER BY {pos} {order} LIMIT ${}", binds.len());
        let sql = match keys {
            None => format!("{select}{conds}{page}"),
            // The entries whose column names this UUID, and those naming several (the nil
            // UUID) that may hold it too: a page of each (its index walked in order, or its
            // few entries gathered and sorted, as the planner finds cheaper), merged.
            Some((column, key, nil)) => {
                let key_is = |uuid: &str| match self.backend {
                    Backend::Postgres => format!("audit_uuid({column}) = {uuid}::uuid"),
                    Backend::Sqlite => format!("audit_uuids.uuid = {uuid}"),
                };
                let branch = |n: usize, uuid: &str| {
                    let key = key_is(uuid);
                    format!("SELECT * FROM ({select} AND {key}{conds}{page}) AS branch{n}")
                };
                let mut branches = vec![branch(1, &format!("${key}"))];
                if !nil {
                    branches.push(branch(2, &format!("'{NIL_UUID}'")));
                }
                let branches = branches.join(" UNION ALL ");
                let page = page.replace(pos, "seq");
                format!("SELECT {COLS} FROM ({branches}) AS hits{page}")
            }
        };
        (sql, binds, oldest_first)
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

/// What `audit_uuid` (migration postgres/0144) gives an entry naming several UUIDs, and what
/// `audit_uuids` (migration sqlite/0144) lists a column too long to look through under.
const NIL_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// The first UUID written in `part` as vhod writes them (lowercase, 8-4-4-4-12): an entry whose
/// text holds the part holds it too.
fn uuid_in(part: &str) -> Option<&str> {
    const DASHES: [usize; 4] = [8, 13, 18, 23];
    let b = part.as_bytes();
    (0..b.len().saturating_sub(35))
        .find(|&i| {
            b[i..i + 36].iter().enumerate().all(|(j, c)| {
                if DASHES.contains(&j) {
                    *c == b'-'
                } else {
                    matches!(c, b'0'..=b'9' | b'a'..=b'f')
                }
            })
        })
        .map(|i| &part[i..i + 36])
}

/// A value bound to the page's statement.
enum Bind {
    Text(String),
    Number(i64),
}

fn text(part: &str) -> Bind {
    Bind::Text(part.to_string())
}

/// `LIKE`'s pattern for text holding `part` anywhere: its `%`, `_` and `\` taken as written.
fn like(part: &str) -> Bind {
    let mut pattern = String::with_capacity(part.len() + 2);
    pattern.push('%');
    for c in part.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Bind::Text(pattern)
}
