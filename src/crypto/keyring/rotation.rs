//! Operators' key changes: rotation, import and revocation, each written in a change that
//! commits with its audit entry (`store/change.rs`); [`Keyring::commit`] commits it and loads the
//! keys on this node at once.

use super::{KeyError, Keyring, Revoked, SigningAlg, material};
use crate::crypto::kek::Kek;
use crate::store::Store;
use crate::store::audit::AuditEntry;
use crate::store::change::Change;
use crate::store::keys::SigningKeyRow;

impl Keyring {
    /// Writes a new key in `change`; with `now` it signs at once and the previous key of its
    /// algorithm retires.
    async fn install(
        change: &mut Change<'_>,
        row: SigningKeyRow,
        now: bool,
        keep_retired: i64,
    ) -> Result<String, KeyError> {
        change.insert_signing_key(&row).await?;
        if now {
            change.retire_other_active_keys(&row.alg, &row.kid).await?;
            change
                .advance_key_lifecycle(i64::MAX / 4, keep_retired)
                .await?;
        }
        Ok(row.kid)
    }

    /// [`Self::rotate_staged`] committed with no audit entry (tests).
    pub async fn rotate(
        &self,
        store: &Store,
        alg: SigningAlg,
        now: bool,
        keep_retired: i64,
    ) -> Result<String, KeyError> {
        let (kid, change) = self.rotate_staged(store, alg, now, keep_retired).await?;
        change.commit_unaudited().await?;
        self.reload(store).await?;
        Ok(kid)
    }

    /// A new key for `alg`: published as `next` (it starts signing after the pre-publication
    /// period), or active at once with `now`, written in a change to commit with its audit entry
    /// through [`Self::commit`].
    pub async fn rotate_staged<'a>(
        &self,
        store: &'a Store,
        alg: SigningAlg,
        now: bool,
        keep_retired: i64,
    ) -> Result<(String, Change<'a>), KeyError> {
        let row = self.generate(alg, store.now(), if now { "active" } else { "next" })?;
        let mut change = store.change().await?;
        let kid = Self::install(&mut change, row, now, keep_retired).await?;
        Ok((kid, change))
    }

    /// [`Self::import_pem_staged`] committed with no audit entry (tests).
    pub async fn import_pem(
        &self,
        store: &Store,
        alg: SigningAlg,
        pem: &[u8],
        now: bool,
        keep_retired: i64,
    ) -> Result<String, KeyError> {
        let (kid, change) = self
            .import_pem_staged(store, alg, pem, now, keep_retired)
            .await?;
        change.commit_unaudited().await?;
        self.reload(store).await?;
        Ok(kid)
    }

    /// [`Self::revoke_staged`] committed with no audit entry (tests).
    pub async fn revoke(&self, store: &Store, kid: &str) -> Result<Revoked, KeyError> {
        let (revoked, change) = self.revoke_staged(store, kid).await?;
        change.commit_unaudited().await?;
        self.reload(store).await?;
        Ok(revoked)
    }

    /// Commits a key change with its audit entry, then signs and publishes with the keys as they
    /// are now on this node (the others follow at their next maintenance tick).
    pub async fn commit(
        &self,
        store: &Store,
        change: Change<'_>,
        entry: AuditEntry<'_>,
    ) -> Result<(), KeyError> {
        change.commit(entry).await?;
        self.reload(store).await
    }

    /// Imports an existing private key (PEM, PKCS#8 or traditional) as the next key of its algorithm,
    /// or as the active one with `now`; returns its kid and the change to commit ([`Self::commit`]).
    pub async fn import_pem_staged<'a>(
        &self,
        store: &'a Store,
        alg: SigningAlg,
        pem: &[u8],
        now: bool,
        keep_retired: i64,
    ) -> Result<(String, Change<'a>), KeyError> {
        let m = material::import(alg, pem, &self.cert, store.now())?;
        let row = self.row(alg, m, store.now(), if now { "active" } else { "next" });
        let mut change = store.change().await?;
        let kid = Self::install(&mut change, row, now, keep_retired).await?;
        Ok((kid, change))
    }

    /// Revokes `kid`; if it was signing, a fresh active key of its algorithm takes over at once.
    /// Both are written in a change to commit with its audit entry ([`Self::commit`]).
    pub async fn revoke_staged<'a>(
        &self,
        store: &'a Store,
        kid: &str,
    ) -> Result<(Revoked, Change<'a>), KeyError> {
        // RETURNING gives the new state; whether it was signing is read first.
        let was_active = store
            .published_signing_keys()
            .await?
            .iter()
            .any(|r| r.kid == kid && r.state == "active");
        let mut change = store.change().await?;
        let Some(row) = change.revoke_signing_key(kid).await? else {
            return Ok((Revoked::Unknown, change));
        };
        let mut replacement = None;
        if was_active
            && let Some(alg) = SigningAlg::parse(&row.alg)
            && !change.has_active_signing_key(&row.alg).await?
        {
            let fresh = self.generate(alg, store.now(), "active")?;
            change.insert_signing_key(&fresh).await?;
            replacement = Some(fresh.kid);
        }
        Ok((Revoked::Done { replacement }, change))
    }

    /// [`Self::rewrap_in`] committed with no audit entry (tests).
    pub async fn rewrap(&self, store: &Store, new: &Kek) -> Result<usize, KeyError> {
        let mut change = store.change().await?;
        let n = self.rewrap_in(&mut change, new).await?;
        change.commit_unaudited().await?;
        Ok(n)
    }

    /// Moves every stored key (revoked ones too) under `new` within `change`; returns how many.
    pub async fn rewrap_in(&self, change: &mut Change<'_>, new: &Kek) -> Result<usize, KeyError> {
        let mut resealed = Vec::new();
        for row in change.all_signing_keys().await? {
            let private = self.kek.open(&row.private_sealed)?;
            resealed.push((row.kid, new.seal(&private)));
        }
        change.reseal_signing_keys(&resealed).await?;
        Ok(resealed.len())
    }

    /// Every authenticator-app (TOTP) secret moved under `new`, [`TOTP_REWRAP_BATCH`] a change
    /// committed with no audit entry (tests); returns how many.
    pub async fn rewrap_totp(&self, store: &Store, new: &Kek) -> Result<usize, KeyError> {
        let mut rewrap = TotpRewrap::default();
        while !rewrap.done() {
            let mut change = store.change().await?;
            rewrap.next(self, &mut change, new).await?;
            change.commit_unaudited().await?;
        }
        Ok(rewrap.total())
    }

    /// Moves the TOTP secrets of at most `batch` accounts after account `after` (in account
    /// order) under `new` within `change`; returns how many and the last account. A rewrap goes
    /// batch by batch, each its own change: every node opens a secret under either KEK meanwhile,
    /// so no batch needs another, and none holds the write lock (SQLite) or the rows a sign-in's
    /// code spends (PostgreSQL) for longer than its own batch.
    pub async fn rewrap_totp_batch_in(
        &self,
        change: &mut Change<'_>,
        new: &Kek,
        after: &str,
        batch: i64,
    ) -> Result<(usize, Option<String>), KeyError> {
        let mut resealed = Vec::new();
        for (account_id, sealed) in change.totp_secrets_after(after, batch.max(1)).await? {
            let secret = self.kek.open(&sealed)?;
            resealed.push((account_id, new.seal(&secret)));
        }
        change.reseal_totp_secrets(&resealed).await?;
        Ok((resealed.len(), resealed.last().map(|(id, _)| id.clone())))
    }
}

/// Authenticator-app secrets one change of a KEK rewrap reseals.
pub const TOTP_REWRAP_BATCH: i64 = 1_000;

/// Where a rewrap of the authenticator-app secrets stands, batch by batch: each
/// [`TotpRewrap::next`] moves the next [`TOTP_REWRAP_BATCH`] accounts within the caller's change,
/// which the caller commits (with its audit entry, or none in tests).
#[derive(Default)]
pub struct TotpRewrap {
    after: String,
    total: usize,
    done: bool,
}

/// One batch moved: how many secrets, and the accounts it covered (after `after`, through
/// `through`, in account order).
pub struct TotpBatch {
    pub secrets: usize,
    pub after: String,
    pub through: String,
}

impl TotpRewrap {
    /// Whether every secret has been moved.
    pub fn done(&self) -> bool {
        self.done
    }

    /// Secrets moved so far.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Moves the next batch under `new` within `change`; `None` when none was left (the change
    /// then holds no write).
    pub async fn next(
        &mut self,
        keyring: &Keyring,
        change: &mut Change<'_>,
        new: &Kek,
    ) -> Result<Option<TotpBatch>, KeyError> {
        let (secrets, last) = keyring
            .rewrap_totp_batch_in(change, new, &self.after, TOTP_REWRAP_BATCH)
            .await?;
        let Some(through) = last else {
            self.done = true;
            return Ok(None);
        };
        self.done = (secrets as i64) < TOTP_REWRAP_BATCH;
        self.total += secrets;
        let after = std::mem::replace(&mut self.after, through.clone());
        Ok(Some(TotpBatch {
            secrets,
            after,
            through,
        }))
    }
}
