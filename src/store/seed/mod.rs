//! Development data at scale (`vhod dev seed --accounts N`): realistic accounts with a phone and an
//! e-mail each, a verified SNILS and passport for a third of them, a session for half, a grant to the
//! seed portal with a refresh token (and the consent behind it) for a quarter, and a person oid for everyone.
//!
//! The rows of a batch are made once ([`rows`]) and written by a [`Seeder`]: on PostgreSQL with
//! `COPY … FROM STDIN` ([`copy`]), [`COPY_BATCH`] accounts per transaction; on SQLite in multi-row
//! INSERTs ([`insert`]), [`BATCH`] accounts per transaction.

pub mod copy;
mod insert;
mod rows;

pub use rows::snils;

use super::{Backend, Store, StoreError};
use crate::config::Database;
use sqlx::{Connection, Executor};

/// Accounts per transaction with INSERT (SQLite).
pub const BATCH: usize = 500;
/// Accounts per transaction with COPY (PostgreSQL).
pub const COPY_BATCH: usize = 10_000;

/// The rows of one table in one batch: its columns and, row after row, their values.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub values: Vec<String>,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Table {
        Table {
            name,
            columns,
            values: Vec::new(),
        }
    }
    fn push(&mut self, row: &[String]) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.values.extend_from_slice(row);
    }
    pub fn rows(&self) -> usize {
        self.values.len() / self.columns.len()
    }
}

/// What one seeding adds: accounts numbered from `first`, their password `hash`, sessions expiring
/// at `expires`, grants to `client_id`. Numbers must not overlap an earlier seed.
pub struct Seed<'a> {
    pub first: u64,
    pub count: u64,
    pub hash: &'a str,
    pub client_id: &'a str,
    pub expires: i64,
}

/// Writes seeded rows: COPY on its own PostgreSQL connection, or batched INSERTs through the store.
pub enum Seeder<'a> {
    Copy(Box<sqlx::PgConnection>),
    Insert(&'a Store),
}

impl<'a> Seeder<'a> {
    /// The writer for `store`'s backend; on PostgreSQL a connection of its own to `db` (COPY needs
    /// the PostgreSQL driver itself, not the pool's `Any` connections), in the store's schema.
    pub async fn open(store: &'a Store, db: &Database) -> Result<Seeder<'a>, StoreError> {
        Ok(match store.backend {
            Backend::Sqlite => Seeder::Insert(store),
            Backend::Postgres => {
                let url = store.primary_url().unwrap_or_else(|| db.url.clone());
                Seeder::Copy(Box::new(copy::connect(&url, &db.schema).await?))
            }
        })
    }

    /// How data is written ("COPY" or "INSERT").
    pub fn method(&self) -> &'static str {
        match self {
            Seeder::Copy(_) => "COPY",
            Seeder::Insert(_) => "INSERT",
        }
    }

    /// Accounts per call of [`Seeder::add`] that keep one transaction reasonable.
    pub fn batch(&self) -> u64 {
        match self {
            Seeder::Copy(_) => COPY_BATCH as u64,
            Seeder::Insert(_) => BATCH as u64,
        }
    }

    /// Adds one batch of accounts in one transaction. Returns the rows written.
    pub async fn add(&mut self, seed: &Seed<'_>, now: i64) -> Result<u64, StoreError> {
        let tables = rows::make(seed, now);
        let written = tables.iter().map(|t| t.rows() as u64).sum();
        match self {
            Seeder::Copy(conn) => copy::write(conn, &tables).await?,
            Seeder::Insert(store) => insert::write(store, &tables).await?,
        }
        Ok(written)
    }

    /// Ends the seeding: on PostgreSQL vacuums and analyses the tables it filled, as autovacuum
    /// would later (planner statistics; the visibility map that lets index-only scans skip the
    /// heap), so what is measured afterwards is a database in its steady state.
    pub async fn finish(self) -> Result<(), StoreError> {
        if let Seeder::Copy(mut conn) = self {
            for table in rows::TABLES {
                conn.execute(format!("VACUUM (ANALYZE) {table}").as_str())
                    .await?;
            }
            conn.close().await?;
        }
        Ok(())
    }
}
