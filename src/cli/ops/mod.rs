//! Operator commands flattened into `vhod`: `backup`, `restore` (SQLite) and `dev seed`.

mod backup;
mod seed;

use crate::config::Config;

#[derive(clap::Subcommand, Debug)]
pub enum OpsCmd {
    /// A consistent online copy of the SQLite database (VACUUM INTO); PostgreSQL: pg_dump.
    Backup(backup::BackupArgs),
    /// Development tools (dev.enabled only).
    #[command(subcommand)]
    Dev(seed::DevCmd),
    /// Replace the SQLite database by a backup; refuses while a process has it open.
    Restore(backup::RestoreArgs),
}

pub async fn run(config: Config, cmd: OpsCmd) -> anyhow::Result<()> {
    match cmd {
        OpsCmd::Backup(a) => backup::backup(&config, &a.to).await,
        OpsCmd::Restore(a) => backup::restore(&config, &a.from, a.force).await,
        OpsCmd::Dev(seed::DevCmd::Seed { accounts }) => seed::seed(config, accounts).await,
    }
}
