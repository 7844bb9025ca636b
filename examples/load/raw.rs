//! The ceilings the server is measured against, on this machine: the raw argon2id rate at a given
//! cost (one reused memory block per thread, nothing else; in a plain allocation or in huge pages), and the one-core ES256 signing rate
//! (ring's P-256, the signer vhod's keyring uses for ES256).

use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::time::{Duration, Instant};
use vhod::crypto::password::BlockMemory;

/// A rate two ways: per second of wall time, and per CPU-second this process spent (which a busy
/// machine does not change: it is what one core does when it is not shared).
pub struct Rate {
    pub per_s: f64,
    pub per_cpu_s: f64,
}

fn rate(n: u64, started: Instant, cpu0: f64) -> Rate {
    let cpu = crate::timed::cpu_seconds(None) - cpu0;
    Rate {
        per_s: n as f64 / started.elapsed().as_secs_f64(),
        per_cpu_s: if cpu > 0.0 { n as f64 / cpu } else { 0.0 },
    }
}

/// argon2id computations with `threads` threads for `secs` seconds, each thread in one memory
/// block: a plain allocation, or (`huge_pages`) the block vhod's hashing workers use
/// (`vhod::crypto::password::BlockMemory`, asked of the kernel in transparent huge pages).
pub fn argon2_rate(
    memory_kib: u32,
    iterations: u32,
    threads: usize,
    secs: f64,
    huge_pages: bool,
) -> Rate {
    let params = Params::new(memory_kib, iterations, 1, Some(32)).expect("argon2 parameters");
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let (started, cpu0) = (Instant::now(), crate::timed::cpu_seconds(None));
    let handles: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let params = params.clone();
            std::thread::spawn(move || {
                let a = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
                let mut plain = Vec::new();
                let mut huge = None;
                let blocks: &mut [Block] = if huge_pages {
                    huge.insert(BlockMemory::new(params.block_count())).blocks()
                } else {
                    plain.resize(params.block_count(), Block::default());
                    &mut plain
                };
                let mut out = [0u8; 32];
                let mut n = 0u64;
                while Instant::now() < until {
                    a.hash_password_into_with_memory(
                        b"Bench-2026!x",
                        b"sixteen byte salt",
                        &mut out,
                        &mut *blocks,
                    )
                    .expect("argon2id");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let n: u64 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    rate(n, started, cpu0)
}

/// ES256 signatures on this thread over a token-sized signing input.
pub fn es256_rate(secs: f64) -> Rate {
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("key");
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .expect("key");
    let input = "e".repeat(420);
    let (started, cpu0) = (Instant::now(), crate::timed::cpu_seconds(None));
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < secs {
        key.sign(&rng, input.as_bytes()).expect("sign");
        n += 1;
    }
    rate(n, started, cpu0)
}
