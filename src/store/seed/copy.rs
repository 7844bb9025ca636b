//! Seed rows written with PostgreSQL's `COPY … FROM STDIN` (text format), every table of a batch in
//! one transaction on a connection of the seeder's own.

use super::Table;
use crate::store::StoreError;
use sqlx::{Connection, Executor, PgConnection};

/// A connection to the server at `url` in `schema`, with commits not waiting for the disk (a crash
/// loses the last batches of a development seed, never half of one).
pub async fn connect(url: &str, schema: &str) -> Result<PgConnection, StoreError> {
    let mut conn = PgConnection::connect(url).await?;
    if !schema.is_empty() {
        // The store checked the name ([A-Za-z0-9_]) when it connected.
        conn.execute(format!("SET search_path TO {schema}").as_str())
            .await?;
    }
    conn.execute("SET synchronous_commit = off").await?;
    Ok(conn)
}

pub async fn write(conn: &mut PgConnection, tables: &[Table]) -> Result<(), StoreError> {
    let mut tx = conn.begin().await?;
    for table in tables {
        if table.values.is_empty() {
            continue;
        }
        let mut copy = tx
            .copy_in_raw(&format!(
                "COPY {} ({}) FROM STDIN",
                table.name,
                table.columns.join(", ")
            ))
            .await?;
        copy.send(encode(table).into_bytes()).await?;
        copy.finish().await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The table's rows in COPY's text format: columns separated by tabs, one row a line.
pub fn encode(table: &Table) -> String {
    let width = table.columns.len();
    let mut out = String::with_capacity(table.values.iter().map(|v| v.len() + 1).sum());
    for row in table.values.chunks(width) {
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            escape_into(&mut out, value);
        }
        out.push('\n');
    }
    out
}

/// A value as COPY's text format reads it back unchanged (backslash, tab and line ends escaped).
fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_tab_separated_lines_with_the_separators_inside_values_escaped() {
        let table = Table {
            name: "t",
            columns: &["a", "b"],
            values: vec![
                "Иванов".into(),
                "{\"k\": 1}".into(),
                "a\tb\\c".into(),
                "line\r\nnext".into(),
            ],
        };
        assert_eq!(
            encode(&table),
            "Иванов\t{\"k\": 1}\na\\tb\\\\c\tline\\r\\nnext\n"
        );
    }
}
