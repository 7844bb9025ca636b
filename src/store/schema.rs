//! Which schema this build may serve on. A rolling deploy runs nodes of two builds on one database
//! for a while: the first node of the new build migrates at its start, the others still run the
//! previous build, and a rollback starts the previous build again on the migrated schema. So:
//! - a migration the database has and this build does not know (a newer build applied it) is no
//!   error: this build runs its own migrations and serves, saying once that the schema is ahead;
//! - migrations only add (tables, nullable or defaulted columns, indexes); one that takes away
//!   what the previous release uses raises `schema_floor.needs_migration` to its own version
//!   (migrations/*/0138_schema_floor.sql), and a build that does not know that migration refuses
//!   to start and is not ready (`/readyz`: "schema needs a newer build").

use super::{Backend, Store, StoreError};
use sqlx::migrate::{MigrateError, Migrator};

/// Where this build stands against the database's schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaState {
    /// Every migration of this build is applied and the floor lets this build serve. `ahead`
    /// lists migrations a newer build applied (a rolling deploy in progress, or a rollback).
    Current { ahead: Vec<i64> },
    /// Migrations of this build not yet applied (a node started without migrating).
    Behind { missing: Vec<i64> },
    /// A newer build's migration took away what this build needs.
    TooNew {
        needs_migration: i64,
        newest_known: i64,
    },
}

impl Store {
    /// This build's migrations. Applied migrations it does not know are not an error (see the
    /// module's comment); a known one whose text changed still is.
    fn migrator(&self) -> Migrator {
        let mut m = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        m.set_ignore_missing(true);
        m
    }

    fn known_versions(&self) -> Vec<i64> {
        self.migrator().iter().map(|m| m.version).collect()
    }

    /// Applies this build's migrations and on PostgreSQL builds the indexes built online
    /// (`store::online_indexes`), then refuses a schema whose floor is above this build.
    pub async fn migrate(&self) -> Result<(), MigrateError> {
        // Not bounded: a migration may rewrite a large table. On PostgreSQL it runs on a
        // connection taken out of the pool, with the deadlines the pool's connections carry
        // (store/mod.rs) lifted, and closed afterwards rather than handed to a request.
        match self.backend {
            Backend::Sqlite => self.migrator().run(self.pool.raw()).await?,
            Backend::Postgres => {
                use sqlx::{Connection, Executor};
                let mut conn = self.pool.raw().acquire().await?.detach();
                for lift in [
                    "SET statement_timeout = 0",
                    "SET idle_in_transaction_session_timeout = 0",
                ] {
                    conn.execute(lift).await?;
                }
                let applied = self.migrator().run(&mut conn).await;
                let built = match applied {
                    Ok(()) => Self::build_online_indexes(
                        &mut conn,
                        super::online_indexes::CONCURRENT_FROM_BYTES,
                    )
                    .await
                    .map_err(store_to_migrate),
                    Err(e) => Err(e),
                };
                let _ = conn.close().await;
                use super::online_indexes::Built;
                for (index, how) in built? {
                    if matches!(how, Built::AtOnce | Built::Concurrently) {
                        tracing::info!(index, ?how, "index built");
                    }
                }
            }
        }
        match self.schema_state().await.map_err(store_to_migrate)? {
            SchemaState::TooNew {
                needs_migration,
                newest_known,
            } => Err(MigrateError::Execute(sqlx::Error::Configuration(
                format!(
                    "the database's schema needs a build that knows migration {needs_migration}; \
                     this build's newest migration is {newest_known}: run the newer build"
                )
                .into(),
            ))),
            SchemaState::Current { ahead } if !ahead.is_empty() => {
                tracing::warn!(
                    ?ahead,
                    "the database has migrations of a newer build: serving on it as an older build \
                     (a rolling deploy or a rollback)"
                );
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Where this build stands: read from `_sqlx_migrations` and `schema_floor`.
    pub async fn schema_state(&self) -> Result<SchemaState, StoreError> {
        let known = self.known_versions();
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await?;
        let missing: Vec<i64> = known
            .iter()
            .copied()
            .filter(|v| !applied.contains(v))
            .collect();
        if !missing.is_empty() {
            return Ok(SchemaState::Behind { missing });
        }
        let needs_migration: i64 =
            sqlx::query_scalar("SELECT needs_migration FROM schema_floor WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        let newest_known = known.iter().copied().max().unwrap_or(0);
        if needs_migration > newest_known {
            return Ok(SchemaState::TooNew {
                needs_migration,
                newest_known,
            });
        }
        let mut ahead: Vec<i64> = applied.into_iter().filter(|v| !known.contains(v)).collect();
        ahead.sort_unstable();
        Ok(SchemaState::Current { ahead })
    }
}

fn store_to_migrate(e: StoreError) -> MigrateError {
    match e {
        StoreError::Db(e) => MigrateError::Execute(e),
        other => MigrateError::Execute(sqlx::Error::Protocol(other.to_string())),
    }
}
