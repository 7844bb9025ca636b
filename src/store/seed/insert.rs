//! Seed rows written with portable multi-row INSERTs, one transaction per batch (SQLite).

use super::Table;
use crate::store::{Store, StoreError};

/// Columns holding numbers (bound as integers: PostgreSQL does not cast text to BIGINT).
fn is_integer_column(name: &str) -> bool {
    name.ends_with("_at") || matches!(name, "auth_time" | "persistent" | "last_seen")
}

pub async fn write(store: &Store, tables: &[Table]) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    for table in tables {
        insert(&mut tx, table).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn insert(
    tx: &mut crate::store::bounded_tx::TxConn,
    table: &Table,
) -> Result<(), StoreError> {
    let width = table.columns.len();
    let integer: Vec<bool> = table.columns.iter().map(|c| is_integer_column(c)).collect();
    // The binds stay below both backends' limits (SQLite: 32766).
    for chunk in table.values.chunks(width * 2000) {
        let rows = chunk.len() / width;
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            table.name,
            table.columns.join(", ")
        );
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                let n = r * width + c + 1;
                sql.push_str(&if c == 0 {
                    format!("${n}")
                } else {
                    format!(", ${n}")
                });
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for (i, v) in chunk.iter().enumerate() {
            q = if integer[i % width] {
                q.bind(v.parse::<i64>().unwrap_or_default())
            } else {
                q.bind(v.as_str())
            };
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}
