//! `vhod backup --to FILE` and `vhod restore --from FILE` for the SQLite database. A backup is
//! `VACUUM INTO`: one read transaction, so the copy is a consistent snapshot even while a node
//! writes. A restore refuses to replace a database a running process has open: SQLite holds POSIX
//! locks on the database's `-shm` (WAL index) file, or the file itself, for as long as a connection
//! is open, and Linux lists them in /proc/locks; `--force` skips that check. PostgreSQL is backed up
//! with pg_dump / pg_restore (README, «Backups»).

use crate::config::Config;
use anyhow::{Context, bail, ensure};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// The new file (never overwritten).
    #[arg(long)]
    pub to: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    #[arg(long)]
    pub from: PathBuf,
    /// Skip the check that no running process has the database open.
    #[arg(long)]
    pub force: bool,
}

/// The file of a `sqlite:` database URL.
fn sqlite_file(config: &Config) -> anyhow::Result<PathBuf> {
    let url = &config.database.url;
    if config.is_postgres() {
        bail!(
            "database.url is PostgreSQL: back it up with pg_dump and restore with pg_restore \
             (README, «Backups»)"
        );
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("database.url is not a sqlite: URL")?;
    Ok(PathBuf::from(path.split('?').next().unwrap_or_default()))
}

async fn open(file: &Path, read_only: bool) -> anyhow::Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .read_only(read_only)
        .create_if_missing(false)
        .busy_timeout(std::time::Duration::from_secs(10));
    // The live database is in WAL mode (as the node opens it); a read-only check changes nothing.
    let options = if read_only {
        options
    } else {
        options.journal_mode(SqliteJournalMode::Wal)
    };
    options
        .connect()
        .await
        .with_context(|| format!("cannot open {}", file.display()))
}

/// Checks that `file` is a whole vhod database; returns its number of accounts.
async fn check(file: &Path) -> anyhow::Result<i64> {
    let mut conn = open(file, true).await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    ensure!(
        integrity == "ok",
        "{} fails the integrity check: {integrity}",
        file.display()
    );
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a vhod database", file.display()))?;
    conn.close().await?;
    Ok(accounts)
}

pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<()> {
    let file = sqlite_file(config)?;
    ensure!(
        !to.exists(),
        "{} exists: a backup never overwrites a file",
        to.display()
    );
    let mut conn = open(&file, false).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(to.display().to_string())
        .execute(&mut conn)
        .await
        .with_context(|| format!("VACUUM INTO {}", to.display()))?;
    conn.close().await?;
    let accounts = check(to).await?;
    let bytes = std::fs::metadata(to)?.len();
    println!(
        "backup written: {} ({bytes} bytes, {accounts} accounts, integrity ok)",
        to.display()
    );
    Ok(())
}

pub async fn restore(config: &Config, from: &Path, force: bool) -> anyhow::Result<()> {
    let target = sqlite_file(config)?;
    let accounts = check(from).await?;
    if !force {
        let holders = lock_holders(&target)?;
        if !holders.is_empty() {
            bail!(
                "{} is in use by process {} (it holds SQLite's locks on the file): stop the node \
                 first, or pass --force",
                target.display(),
                holders.join(", ")
            );
        }
    }
    let tmp = target.with_extension("restore-tmp");
    std::fs::copy(from, &tmp).with_context(|| format!("copy to {}", tmp.display()))?;
    std::fs::File::open(&tmp)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side)?;
        }
    }
    std::fs::rename(&tmp, &target)?;
    println!(
        "restored {} from {} ({accounts} accounts)",
        target.display(),
        from.display()
    );
    Ok(())
}

/// The processes holding POSIX locks on the database or its `-shm` file (from /proc/locks).
fn lock_holders(db: &Path) -> anyhow::Result<Vec<String>> {
    use std::os::unix::fs::MetadataExt;
    let inodes: Vec<u64> = [
        db.to_path_buf(),
        PathBuf::from(format!("{}-shm", db.display())),
    ]
    .iter()
    .filter_map(|p| std::fs::metadata(p).ok())
    .map(|m| m.ino())
    .collect();
    if inodes.is_empty() {
        return Ok(Vec::new());
    }
    let locks = std::fs::read_to_string("/proc/locks").context(
        "cannot read /proc/locks to tell whether a node uses the database; stop it and pass --force",
    )?;
    let mut pids: Vec<String> = locks
        .lines()
        .filter_map(|line| {
            // "1: POSIX  ADVISORY  READ 1234 08:01:5678 128 128" (waiters add "->")
            let f: Vec<&str> = line.split_whitespace().filter(|f| *f != "->").collect();
            let inode = f.get(5)?.rsplit(':').next()?.parse::<u64>().ok()?;
            inodes.contains(&inode).then(|| f[4].to_string())
        })
        .collect();
    pids.sort();
    pids.dedup();
    Ok(pids)
}
