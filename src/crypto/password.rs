//! Password hashing with argon2id on a bounded blocking pool.
//! An unknown login still costs one verification against a dummy hash, so timing does not reveal
//! which logins exist.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("invalid argon2 parameters: {0}")]
    Params(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

#[derive(Clone)]
pub struct PasswordHasherPool {
    params: Params,
    permits: Arc<Semaphore>,
    dummy_hash: Arc<String>,
    /// argon2 computations (hashes and verifications, the dummy's included) since the start.
    runs: Arc<AtomicU64>,
}

impl std::fmt::Debug for PasswordHasherPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasswordHasherPool({:?})", self.params)
    }
}

impl PasswordHasherPool {
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        max_concurrent: usize,
    ) -> Result<Self, PasswordError> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| PasswordError::Params(e.to_string()))?;
        let slots = if max_concurrent == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        } else {
            max_concurrent
        };
        let dummy = hash_blocking(&params, "vhod dummy password for unknown logins")?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(slots)),
            dummy_hash: Arc::new(dummy),
            runs: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many argon2 computations this pool has run (the dummy hash made at start-up not
    /// counted): the enumeration tests compare it between a known and an unknown account.
    pub fn argon2_runs(&self) -> u64 {
        self.runs.load(Ordering::SeqCst)
    }

    pub async fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore never closed");
        let params = self.params.clone();
        let password = password.to_owned();
        self.runs.fetch_add(1, Ordering::SeqCst);
        tokio::task::spawn_blocking(move || hash_blocking(&params, &password))
            .await
            .map_err(|e| PasswordError::Hash(e.to_string()))?
    }

    /// Verifies `password` against `stored`; with `None` verifies against the dummy hash and
    /// returns false, spending the same time.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore never closed");
        let known = stored.is_some();
        let stored = stored
            .map(str::to_owned)
            .unwrap_or_else(|| (*self.dummy_hash).clone());
        let password = password.to_owned();
        self.runs.fetch_add(1, Ordering::SeqCst);
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored)
                .map(|h| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        known && ok
    }
}

fn hash_blocking(params: &Params, password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_verifies_and_wrong_password_fails() {
        let pool = PasswordHasherPool::new(256, 1, 1, 2).unwrap();
        let h = pool.hash("Correct-horse-1").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(pool.verify("Correct-horse-1", Some(&h)).await);
        assert!(!pool.verify("correct-horse-1", Some(&h)).await);
    }

    #[tokio::test]
    async fn unknown_login_never_verifies_even_with_the_dummy_password() {
        let pool = PasswordHasherPool::new(256, 1, 1, 2).unwrap();
        assert!(
            !pool
                .verify("vhod dummy password for unknown logins", None)
                .await
        );
    }
}
