//! Key maintenance, run by every node every few seconds: lifecycle steps that are due (next → active,
//! active → retired, retired → expired), the rotation schedule, and a reload so every node signs
//! with the same key and publishes the same JWKS within seconds of a change anywhere.
//! Every step is an idempotent statement (and at most one `next` key per algorithm exists, by a
//! unique index), so any number of nodes may run it at once.

use super::keyring::{KeyError, Keyring, SigningAlg};
use crate::config::Config;
use crate::store::{Store, StoreError};

/// Retired keys stay published until every token they signed has expired, twice over.
pub fn keep_retired(config: &Config) -> i64 {
    2 * config.tokens.access_ttl.max(config.tokens.id_ttl)
}

pub async fn tick(store: &Store, keyring: &Keyring, config: &Config) -> Result<(), KeyError> {
    store
        .advance_key_lifecycle(config.keys.prepublish_secs, keep_retired(config))
        .await?;
    if config.keys.rotate_every_days > 0 {
        let due_before = store.now() - config.keys.rotate_every_days * 86_400;
        let keys = store.published_signing_keys().await?;
        for alg in SigningAlg::ALL {
            let of_alg = || keys.iter().filter(|k| k.alg == alg.name());
            let newest_active = of_alg()
                .filter(|k| k.state == "active")
                .filter_map(|k| k.activated_at)
                .max();
            let has_next = of_alg().any(|k| k.state == "next");
            if !has_next && newest_active.is_some_and(|t| t <= due_before) {
                match keyring
                    .rotate_staged(store, alg, false, keep_retired(config))
                    .await
                {
                    Ok((kid, change)) => {
                        // The key and its audit entry commit together.
                        change
                            .commit(crate::store::audit::AuditEntry {
                                actor: "system:schedule",
                                action: "key.rotate",
                                target: &kid,
                                request_id: &crate::request_id::current(),
                                details: serde_json::json!({ "alg": alg.name(), "state": "next" }),
                            })
                            .await?;
                        tracing::info!(
                            kid,
                            alg = alg.name(),
                            "scheduled key rotation: next key published"
                        );
                    }
                    // Another node won the race: its key is the one.
                    Err(KeyError::Store(StoreError::Conflict)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    keyring.reload(store).await
}
