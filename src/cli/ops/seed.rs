//! `vhod dev seed --accounts N`: fills a development database with N realistic accounts (see
//! `store::seed`) so request-path queries can be measured at scale. Refused unless dev.enabled.

use crate::clients::{self, NewClient};
use crate::clock::Clock;
use crate::config::Config;
use crate::server;
use crate::store::seed::{Seed, Seeder};

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
    let app = server::open(config.clone(), Clock::default()).await?;
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
    let mut seeder = Seeder::open(&app.store, &config.database).await?;
    let started = std::time::Instant::now();
    let (mut done, mut rows, mut reported) = (0, 0, 0);
    while done < accounts {
        let count = (accounts - done).min(seeder.batch());
        let seed = Seed {
            first: first + done,
            count,
            hash: &hash,
            client_id: client.id.as_str(),
            expires,
        };
        rows += seeder.add(&seed, app.store.now()).await?;
        done += count;
        if done - reported >= 100_000 {
            reported = done;
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "{done} accounts, {rows} rows ({:.0} accounts/s, {:.0} rows/s)",
                done as f64 / secs,
                rows as f64 / secs
            );
        }
    }
    let method = seeder.method();
    seeder.finish().await?;
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    println!(
        "seeded {accounts} accounts ({rows} rows, {method}) in {secs:.1} s: {:.0} accounts/s, \
         {:.0} rows/s; password {SEED_PASSWORD}, logins +79NNNNNNNNN / personN@seed.example.ru \
         from N = {first}",
        accounts as f64 / secs,
        rows as f64 / secs
    );
    Ok(())
}
