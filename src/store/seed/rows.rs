//! The rows of one seed batch, the same for both backends.

use super::{Seed, Table};

/// The tables a seed fills, in the order they are written (references first).
pub const TABLES: [&str; 9] = [
    "accounts",
    "identifiers",
    "credentials",
    "documents",
    "sessions",
    "grants",
    "refresh_tokens",
    "consents",
    "person_oids",
];

const SURNAMES: [&str; 6] = [
    "Иванов",
    "Смирнова",
    "Кузнецов",
    "Попова",
    "Соколов",
    "Лебедева",
];
const NAMES: [&str; 6] = ["Иван", "Мария", "Пётр", "Анна", "Сергей", "Ольга"];

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

/// Every table's rows for the accounts of `seed`, created at `now`.
pub fn make(seed: &Seed<'_>, now: i64) -> Vec<Table> {
    let t = now.to_string();
    let expires = seed.expires.to_string();
    let mut accounts = Table::new(
        TABLES[0],
        &[
            "id",
            "surname",
            "given_name",
            "patronymic",
            "level",
            "terms_version",
            "privacy_version",
            "registered_via",
            "created_at",
            "updated_at",
        ],
    );
    let mut ids = Table::new(
        TABLES[1],
        &["kind", "value", "account_id", "verified_at", "created_at"],
    );
    let mut creds = Table::new(
        TABLES[2],
        &[
            "id",
            "account_id",
            "kind",
            "secret",
            "created_at",
            "updated_at",
        ],
    );
    let mut docs = Table::new(
        TABLES[3],
        &[
            "id",
            "account_id",
            "kind",
            "fields",
            "status",
            "lookup",
            "created_at",
            "updated_at",
            "verified_at",
        ],
    );
    let mut sessions = Table::new(
        TABLES[4],
        &[
            "id_hash",
            "account_id",
            "auth_time",
            "acr",
            "amr",
            "persistent",
            "user_agent",
            "ip",
            "created_at",
            "last_seen",
            "expires_at",
        ],
    );
    let mut grants = Table::new(
        TABLES[5],
        &[
            "id",
            "account_id",
            "client_id",
            "scopes",
            "acr",
            "amr",
            "auth_time",
            "created_at",
        ],
    );
    let mut refresh = Table::new(TABLES[6], &["hash", "grant_id", "created_at", "expires_at"]);
    let mut consents = Table::new(
        TABLES[7],
        &["account_id", "client_id", "scopes", "granted_at"],
    );
    let mut oids = Table::new(TABLES[8], &["account_id"]);
    for n in seed.first..seed.first + seed.count {
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
            seed.hash.into(),
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
            sessions.push(&[
                crate::crypto::hash_secret("session", &format!("seed-session-{n}")),
                id.clone(),
                t.clone(),
                "urn:vhod:acr:low".into(),
                "[\"pwd\"]".into(),
                "0".into(),
                "Mozilla/5.0 (seed)".into(),
                "127.0.0.1".into(),
                t.clone(),
                t.clone(),
                expires.clone(),
            ]);
        }
        if n % 4 == 0 {
            let grant = uuid::Uuid::now_v7().to_string();
            grants.push(&[
                grant.clone(),
                id.clone(),
                seed.client_id.into(),
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
                expires.clone(),
            ]);
            consents.push(&[
                id.clone(),
                seed.client_id.into(),
                "openid profile".into(),
                t.clone(),
            ]);
        }
        oids.push(&[id]);
    }
    vec![
        accounts, ids, creds, docs, sessions, grants, refresh, consents, oids,
    ]
}
