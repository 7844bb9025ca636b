//! Development data at scale (`vhod dev seed --accounts N`): realistic accounts with a phone and an
//! e-mail each, a verified SNILS and passport for a third of them, a session for half, a grant to the
//! seed portal with a refresh token for a quarter, and a person oid for everyone — written in
//! multi-row INSERTs of [`BATCH`] accounts per transaction (both backends).

use super::{Store, StoreError};

/// Accounts per transaction.
pub const BATCH: usize = 500;

/// One batch of rows, as `(table and columns, rows of values)`.
struct Rows {
    head: &'static str,
    width: usize,
    values: Vec<String>,
}

/// Columns holding numbers (bound as integers: PostgreSQL does not cast text to BIGINT).
fn is_integer_column(name: &str) -> bool {
    name.ends_with("_at") || matches!(name, "auth_time" | "persistent" | "last_seen")
}

impl Rows {
    fn new(head: &'static str, width: usize) -> Rows {
        Rows {
            head,
            width,
            values: Vec::new(),
        }
    }
    fn push(&mut self, row: &[String]) {
        debug_assert_eq!(row.len(), self.width);
        self.values.extend_from_slice(row);
    }
    async fn insert(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ) -> Result<(), StoreError> {
        // Portable multi-row INSERT; the binds stay below both backends' limits (SQLite: 32766).
        for chunk in self.values.chunks(self.width * 2000) {
            let rows = chunk.len() / self.width;
            let mut sql = format!("INSERT INTO {} VALUES ", self.head);
            for r in 0..rows {
                sql.push_str(if r == 0 { "(" } else { ", (" });
                for c in 0..self.width {
                    let n = r * self.width + c + 1;
                    sql.push_str(&if c == 0 {
                        format!("${n}")
                    } else {
                        format!(", ${n}")
                    });
                }
                sql.push(')');
            }
            let columns: Vec<bool> = self.head[self.head.find('(').unwrap_or(0) + 1..]
                .trim_end_matches(')')
                .split(',')
                .map(|c| is_integer_column(c.trim()))
                .collect();
            let mut q = sqlx::query(&sql);
            for (i, v) in chunk.iter().enumerate() {
                q = if columns[i % self.width] {
                    q.bind(v.parse::<i64>().unwrap_or_default())
                } else {
                    q.bind(v.as_str())
                };
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// A valid SNILS (check digits computed) for `n` < 10⁹.
pub fn snils(n: u64) -> String {
    let digits: Vec<u64> = format!("{n:09}")
        .bytes()
        .map(|b| u64::from(b - b'0'))
        .collect();
    let sum: u64 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| d * (9 - i as u64))
        .sum();
    let check = match sum % 101 {
        100 => 0,
        s => s,
    };
    format!("{n:09}{check:02}")
}

impl Store {
    /// Adds `count` accounts numbered from `first`, with password hash `hash`, sessions expiring at
    /// `expires`, grants to `client_id`. Numbers must not overlap an earlier seed.
    pub async fn seed_accounts(
        &self,
        first: u64,
        count: u64,
        hash: &str,
        client_id: &str,
        expires: i64,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let t = now.to_string();
        let mut tx = self.begin().await?;
        let mut accounts = Rows::new(
            "accounts (id, surname, given_name, patronymic, level, terms_version, privacy_version, registered_via, created_at, updated_at)",
            10,
        );
        let mut ids = Rows::new(
            "identifiers (kind, value, account_id, verified_at, created_at)",
            5,
        );
        let mut creds = Rows::new(
            "credentials (id, account_id, kind, secret, created_at, updated_at)",
            6,
        );
        let mut docs = Rows::new(
            "documents (id, account_id, kind, fields, status, lookup, created_at, updated_at, verified_at)",
            9,
        );
        let mut sessions = Rows::new(
            "sessions (id_hash, account_id, auth_time, acr, amr, persistent, user_agent, ip, created_at, last_seen, expires_at)",
            11,
        );
        let mut grants = Rows::new(
            "grants (id, account_id, client_id, scopes, acr, amr, auth_time, created_at)",
            8,
        );
        let mut refresh = Rows::new("refresh_tokens (hash, grant_id, created_at, expires_at)", 4);
        let mut oids = Rows::new("person_oids (account_id)", 1);
        const SURNAMES: [&str; 6] = [
            "Иванов",
            "Смирнова",
            "Кузнецов",
            "Попова",
            "Соколов",
            "Лебедева",
        ];
        const NAMES: [&str; 6] = ["Иван", "Мария", "Пётр", "Анна", "Сергей", "Ольга"];
        for n in first..first + count {
            let id = uuid::Uuid::now_v7().to_string();
            let k = (n % 6) as usize;
            let level = if n % 3 == 0 { "standard" } else { "simplified" };
            accounts.push(&[
                id.clone(),
                SURNAMES[k].into(),
                NAMES[k].into(),
                "Иванович".into(),
                level.into(),
                "1".into(),
                "1".into(),
                "seed".into(),
                t.clone(),
                t.clone(),
            ]);
            for (kind, value) in [
                ("phone", format!("+79{n:09}")),
                ("email", format!("person{n}@seed.example.ru")),
            ] {
                ids.push(&[kind.into(), value, id.clone(), t.clone(), t.clone()]);
            }
            creds.push(&[
                uuid::Uuid::now_v7().to_string(),
                id.clone(),
                "password".into(),
                hash.into(),
                t.clone(),
                t.clone(),
            ]);
            if n % 3 == 0 {
                ids.push(&["snils".into(), snils(n), id.clone(), t.clone(), t.clone()]);
                let (series, number) = (
                    format!("{:04}", n % 10_000),
                    format!("{:06}", n % 1_000_000),
                );
                docs.push(&[
                    uuid::Uuid::now_v7().to_string(),
                    id.clone(),
                    "passport_rf".into(),
                    serde_json::json!({"series": series, "number": number, "issued_by": "ОУФМС", "issue_date": "2015-03-01"}).to_string(),
                    "verified".into(),
                    format!("passport_rf:{series}{number}:{n}"),
                    t.clone(),
                    t.clone(),
                    t.clone(),
                ]);
            }
            if n % 2 == 0 {
                let session = format!("seed-session-{n}");
                sessions.push(&[
                    crate::crypto::hash_secret("session", &session),
                    id.clone(),
                    t.clone(),
                    "urn:vhod:acr:low".into(),
                    "[\"pwd\"]".into(),
                    "0".into(),
                    "Mozilla/5.0 (seed)".into(),
                    "127.0.0.1".into(),
                    t.clone(),
                    t.clone(),
                    expires.to_string(),
                ]);
            }
            if n % 4 == 0 {
                let grant = uuid::Uuid::now_v7().to_string();
                grants.push(&[
                    grant.clone(),
                    id.clone(),
                    client_id.into(),
                    "openid profile".into(),
                    "urn:vhod:acr:low".into(),
                    "[\"pwd\"]".into(),
                    t.clone(),
                    t.clone(),
                ]);
                refresh.push(&[
                    crate::crypto::hash_secret("refresh", &format!("seed-refresh-{n}")),
                    grant,
                    t.clone(),
                    expires.to_string(),
                ]);
            }
            oids.push(&[id]);
        }
        for rows in [
            &accounts, &ids, &creds, &docs, &sessions, &grants, &refresh, &oids,
        ] {
            rows.insert(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
