//! Password hashing with argon2id on a small set of dedicated worker threads, each owning one
//! reused memory block (the 19 MiB an argon2id run at the default cost needs): memory stays at
//! `workers × memory_kib` however many sign-ins arrive, and no run pays for allocating and
//! faulting in a fresh block. The block is asked of the kernel in huge pages (`block_memory`).
//! A semaphore admits as many runs as there are workers.
//! An unknown login still costs one verification against a dummy hash, so timing does not reveal
//! which logins exist.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::rngs::OsRng;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use subtle::ConstantTimeEq;
use tokio::sync::{Semaphore, oneshot};

mod block_memory;
pub use block_memory::BlockMemory;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("invalid argon2 parameters: {0}")]
    Params(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// One argon2 computation for a worker, with the way back to the caller.
enum Job {
    Hash {
        password: String,
        reply: Reply<Result<String, PasswordError>>,
    },
    Verify {
        password: String,
        stored: Arc<str>,
        reply: Reply<bool>,
    },
}

/// Where a worker sends its answer: to an async task, or to a thread that waits (start-up).
enum Reply<T> {
    Task(oneshot::Sender<T>),
    Thread(mpsc::SyncSender<T>),
}

impl<T> Reply<T> {
    fn send(self, value: T) {
        // The asker may have gone (a request cancelled): the answer is simply dropped.
        let _ = match self {
            Reply::Task(tx) => tx.send(value).map_err(drop),
            Reply::Thread(tx) => tx.send(value).map_err(drop),
        };
    }
}

#[derive(Clone)]
pub struct PasswordHasherPool {
    params: Params,
    permits: Arc<Semaphore>,
    /// The workers' queue; the workers end when the last clone of the pool is dropped.
    jobs: mpsc::Sender<Job>,
    dummy_hash: Arc<str>,
    /// argon2 computations (hashes and verifications, the dummy's included) since the start.
    runs: Arc<AtomicU64>,
}

impl std::fmt::Debug for PasswordHasherPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasswordHasherPool({:?})", self.params)
    }
}

impl PasswordHasherPool {
    /// Starts `max_concurrent` workers (0: one per CPU core this process may run on).
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        max_concurrent: usize,
    ) -> Result<Self, PasswordError> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| PasswordError::Params(e.to_string()))?;
        let workers = if max_concurrent == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        } else {
            max_concurrent
        };
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..workers {
            let (queue, params) = (queue.clone(), params.clone());
            std::thread::Builder::new()
                .name(format!("vhod-argon2-{i}"))
                .spawn(move || work(&queue, &params))
                .map_err(|e| PasswordError::Hash(format!("cannot start a hashing thread: {e}")))?;
        }
        // Made on a worker like every other hash (so no thread but the workers ever holds a block).
        let stopped = || PasswordError::Hash("the hashing threads stopped".into());
        let (reply, dummy) = mpsc::sync_channel(1);
        jobs.send(Job::Hash {
            password: "vhod dummy password for unknown logins".into(),
            reply: Reply::Thread(reply),
        })
        .map_err(|_| stopped())?;
        let dummy = dummy.recv().map_err(|_| stopped())??;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(workers)),
            jobs,
            dummy_hash: dummy.into(),
            runs: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many argon2 computations this pool has run (the dummy hash made at start-up not
    /// counted): the enumeration tests compare it between a known and an unknown account.
    pub fn argon2_runs(&self) -> u64 {
        self.runs.load(Ordering::SeqCst)
    }

    /// Runs one job on a worker once a permit is free; None if the workers are gone.
    async fn run<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Option<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore never closed");
        let (reply, answer) = oneshot::channel();
        self.runs.fetch_add(1, Ordering::SeqCst);
        self.jobs.send(job(Reply::Task(reply))).ok()?;
        answer.await.ok()
    }

    pub async fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let password = password.to_owned();
        self.run(|reply| Job::Hash { password, reply })
            .await
            .unwrap_or_else(|| Err(PasswordError::Hash("the hashing threads stopped".into())))
    }

    /// Verifies `password` against `stored`; with `None` verifies against the dummy hash and
    /// returns false, spending the same time.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let known = stored.is_some();
        let stored: Arc<str> = stored.map_or_else(|| self.dummy_hash.clone(), Arc::from);
        let password = password.to_owned();
        let ok = self
            .run(|reply| Job::Verify {
                password,
                stored,
                reply,
            })
            .await
            .unwrap_or(false);
        known && ok
    }
}

/// A worker: takes jobs until the pool is dropped, computing each in its own memory block
/// (allocated at the first job, at the pool's cost, and kept).
fn work(queue: &Mutex<mpsc::Receiver<Job>>, params: &Params) {
    let mut memory: Option<BlockMemory> = None;
    loop {
        let job = {
            let Ok(queue) = queue.lock() else { return };
            match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let memory = memory
            .get_or_insert_with(|| {
                let memory = BlockMemory::new(params.block_count());
                tracing::debug!(
                    huge_pages_advised = memory.advised(),
                    "argon2id worker memory"
                );
                memory
            })
            .blocks();
        match job {
            Job::Hash { password, reply } => reply.send(hash_with(params, &password, memory)),
            Job::Verify {
                password,
                stored,
                reply,
            } => reply.send(verify_with(&stored, &password, memory)),
        }
    }
}

/// A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) for `password` with a fresh salt, the
/// same string `argon2::PasswordHasher::hash_password` makes.
fn hash_with(
    params: &Params,
    password: &str,
    memory: &mut [Block],
) -> Result<String, PasswordError> {
    let fail = |e: &dyn std::fmt::Display| PasswordError::Hash(e.to_string());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| fail(&e))?;
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// Checks `password` against a stored PHC string with the parameters written in it (a hash made
/// under an older cost still verifies). A hash needing more memory than the worker's block gets
/// a block of its own for this run.
fn verify_with(stored: &str, password: &str, memory: &mut [Block]) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(phc.algorithm), Params::try_from(&phc))
    else {
        return false;
    };
    let version = match phc.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params.clone());
    let computed = if params.block_count() <= memory.len() {
        argon.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
    } else {
        let mut own = vec![Block::new(); params.block_count()];
        argon.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut own)
    };
    computed.is_ok() && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests;
