//! `vhod dev seed --accounts N`: fills a development database with N realistic accounts (see
//! `store::seed`) so request-path queries can be measured at scale. Refused unless dev.enabled.

use crate::clients::{self, NewClient};
use crate::clock::Clock;
use crate::config::Config;
use crate::server;
use crate::store::seed::BATCH;

#[derive(clap::Subcommand, Debug)]
pub enum DevCmd {
    /// Add N realistic made-up accounts (phones, e-mails, SNILS, documents, sessions, grants).
    Seed {
        #[arg(long)]
        accounts: u64,
    },
}

/// The password of every seeded account.
pub const SEED_PASSWORD: &str = "seed-password-1";

pub async fn seed(config: Config, accounts: u64) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.dev.enabled,
        "dev seed writes made-up people: only with dev.enabled = true (VHOD_DEV__ENABLED=true)"
    );
    let app = server::open(config, Clock::default()).await?;
    let (client, _) = clients::register(
        &app.store,
        NewClient {
            name: "Seed portal".into(),
            redirect_uris: vec!["https://seed.example.ru/cb".into()],
            ..NewClient::default()
        },
    )
    .await?;
    let hash = app.passwords.hash(SEED_PASSWORD).await?;
    let first = u64::try_from(app.store.count_accounts().await?).unwrap_or(0);
    let expires = app.store.now() + 30 * 86_400;
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < accounts {
        let count = (accounts - done).min(BATCH as u64);
        app.store
            .seed_accounts(first + done, count, &hash, client.id.as_str(), expires)
            .await?;
        done += count;
        if done % 100_000 == 0 {
            eprintln!(
                "{done} accounts ({:.0}/s)",
                done as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "seeded {accounts} accounts in {secs:.1} s ({:.0}/s); password {SEED_PASSWORD}, \
         logins +79NNNNNNNNN / personN@seed.example.ru from N = {first}",
        accounts as f64 / secs.max(1e-9)
    );
    Ok(())
}
