//! The stable fuzz driver: `drive SECONDS [TARGET…]` runs each target for SECONDS from its seed
//! corpus (fuzz/corpus/TARGET) with random mutations — byte flips, insertions, deletions,
//! repeats, splices with other seeds, dictionary tokens, and for compact JWS inputs mutations of
//! the decoded header and payload — and catches every panic. A crashing input is written to
//! fuzz/artifacts/TARGET/crash-N and the driver exits 1 after the run; the last line per target
//! reads `TARGET: N executions, M crashes`. It is no coverage-guided fuzzer (libFuzzer through
//! cargo-fuzz is: see fuzz/README.md), but it needs only the stable toolchain.

use base64::Engine;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DICTIONARY: &[&[u8]] = &[
    b".",
    b"..",
    b"=",
    b"&",
    b"%",
    b"%00",
    b"%ZZ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"\\",
    b":",
    b",",
    b"null",
    b"-1",
    b"0",
    b"18446744073709551616",
    b"\"alg\":\"none\"",
    b"\"alg\":\"HS256\"",
    b"\"alg\":\"RS256\"",
    b"\"alg\":\"ES256\"",
    b"\"alg\":\"GOST3410_2012_256\"",
    b"\"crit\":[\"x\"]",
    b"\"jwk\":{}",
    b"\"kid\":\"../../etc/passwd\"",
    b"\"typ\":\"dpop+jwt\"",
    b"eyJ",
    b"\0",
    b"\r\n",
    b"+",
    b"/",
    b"-----BEGIN CERTIFICATE-----",
    b"\x30\x82\xff\xff",
    b"\x30\x80",
    b"\x06\x09",
    b"\xff\xfe",
    b"2026.12.04 21:53:08 +0300",
    b"]]",
    b"=\"",
    b"\\u0000",
    "\u{feff}".as_bytes(),
    "𝕏".as_bytes(),
    "Ё".as_bytes(),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(10);
    let chosen: Vec<&str> = if args.len() > 1 {
        args[1..].iter().map(String::as_str).collect()
    } else {
        vhod_fuzz::TARGETS.to_vec()
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // Panics are caught and counted; their default message would flood the output.
    std::panic::set_hook(Box::new(|_| {}));
    let mut crashed = false;
    for target in chosen {
        let (execs, crashes) = fuzz(&root, target, Duration::from_secs(seconds));
        println!("{target}: {execs} executions, {crashes} crashes");
        crashed |= crashes > 0;
    }
    if crashed {
        std::process::exit(1);
    }
}

fn seeds(dir: &Path) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| std::fs::read(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    if out.is_empty() {
        out.push(Vec::new());
    }
    out
}

fn fuzz(root: &Path, target: &str, budget: Duration) -> (u64, u64) {
    let corpus = seeds(&root.join("corpus").join(target));
    let artifacts = root.join("artifacts").join(target);
    let mut rng = StdRng::seed_from_u64(
        std::env::var("FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x7668_6f64),
    );
    // Make the app (if the target needs one) outside the timed loop.
    let _ = std::panic::catch_unwind(|| vhod_fuzz::run(target, b""));
    let start = Instant::now();
    let (mut execs, mut crashes) = (0u64, 0u64);
    // Every seed as it is first, then mutants.
    let mut queue: Vec<Vec<u8>> = corpus.clone();
    while start.elapsed() < budget {
        let input = match queue.pop() {
            Some(seed) => seed,
            None => mutate(&mut rng, &corpus),
        };
        execs += 1;
        if std::panic::catch_unwind(|| vhod_fuzz::run(target, &input)).is_err() {
            crashes += 1;
            std::fs::create_dir_all(&artifacts).unwrap();
            let path = artifacts.join(format!("crash-{crashes}"));
            std::fs::write(&path, &input).unwrap();
            eprintln!("{target}: crash saved to {}", path.display());
        }
    }
    (execs, crashes)
}

fn mutate(rng: &mut StdRng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut data = corpus[rng.gen_range(0..corpus.len())].clone();
    let rounds = 1 + rng.gen_range(0..4);
    for _ in 0..rounds {
        if rng.gen_bool(0.3)
            && let Some(d) = mutate_jws(rng, &data)
        {
            data = d;
            continue;
        }
        let len = data.len();
        match rng.gen_range(0..8) {
            0 if len > 0 => {
                let i = rng.gen_range(0..len);
                data[i] ^= 1 << rng.gen_range(0..8);
            }
            1 => {
                let i = rng.gen_range(0..=len);
                let n = rng.gen_range(1..16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.r#gen()).collect();
                data.splice(i..i, bytes);
            }
            2 if len > 0 => {
                let a = rng.gen_range(0..len);
                let b = (a + rng.gen_range(1..64)).min(len);
                data.drain(a..b);
            }
            3 if len > 0 => {
                let a = rng.gen_range(0..len);
                let b = (a + rng.gen_range(1..32)).min(len);
                let chunk = data[a..b].to_vec();
                let times = rng.gen_range(1..64);
                for _ in 0..times {
                    data.splice(b..b, chunk.iter().copied());
                }
            }
            4 => {
                let other = &corpus[rng.gen_range(0..corpus.len())];
                let cut = rng.gen_range(0..=len);
                let from = rng.gen_range(0..=other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            5 | 6 => {
                let i = rng.gen_range(0..=len);
                let token = DICTIONARY[rng.gen_range(0..DICTIONARY.len())];
                data.splice(i..i, token.iter().copied());
            }
            _ if len > 0 => {
                let i = rng.gen_range(0..len);
                data[i] = [0, 0xff, 0x7f, 0x80, b'0', b'9', b'.', b'='][rng.gen_range(0..8)];
            }
            _ => data.push(rng.r#gen()),
        }
    }
    data
}

/// A compact JWS with its header or payload decoded, mutated as text and re-encoded.
fn mutate_jws(rng: &mut StdRng, data: &[u8]) -> Option<Vec<u8>> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let text = std::str::from_utf8(data).ok()?;
    let mut parts: Vec<String> = text.split('.').map(String::from).collect();
    if parts.len() != 3 {
        return None;
    }
    let which = rng.gen_range(0..2);
    let mut json = b64.decode(&parts[which]).ok()?;
    let token = DICTIONARY[rng.gen_range(0..DICTIONARY.len())];
    let at = rng.gen_range(0..=json.len());
    if rng.gen_bool(0.5) && !json.is_empty() {
        let end = (at + rng.gen_range(1..8)).min(json.len());
        json.splice(at.min(end)..end, token.iter().copied());
    } else {
        json.splice(at..at, token.iter().copied());
    }
    parts[which] = b64.encode(json);
    Some(parts.join(".").into_bytes())
}
