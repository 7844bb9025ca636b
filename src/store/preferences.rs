//! What a person chose for the interface: the language (accounts.lang, migration 0070) and the
//! time zone (accounts.time_zone, migration 0081).

use super::{Store, StoreError};
use crate::lang::Lang;
use crate::lang::datetime::Zone;

impl Store {
    /// The language the account chose; None until a choice (or for an unknown account).
    pub async fn account_lang(&self, account_id: &str) -> Result<Option<Lang>, StoreError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT lang FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row
            .and_then(|(lang,)| lang)
            .and_then(|l| Lang::from_code(&l)))
    }

    /// Remembers the account's language.
    pub async fn set_account_lang(&self, account_id: &str, lang: Lang) -> Result<(), StoreError> {
        sqlx::query("UPDATE accounts SET lang = $1 WHERE id = $2")
            .bind(lang.code())
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The time zone the account chose; Moscow until a choice (or for an unknown account).
    pub async fn account_zone(&self, account_id: &str) -> Result<Zone, StoreError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT time_zone FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row
            .and_then(|(z,)| z)
            .and_then(|z| Zone::parse(&z))
            .unwrap_or_default())
    }

    /// Remembers the account's time zone.
    pub async fn set_account_zone(&self, account_id: &str, zone: Zone) -> Result<(), StoreError> {
        sqlx::query("UPDATE accounts SET time_zone = $1 WHERE id = $2")
            .bind(zone.iana())
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
