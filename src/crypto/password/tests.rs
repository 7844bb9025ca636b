use super::*;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The Argon2 reference implementation's test vector for "password" with salt "somesalt"
/// (64 MiB, two passes): a hash made elsewhere, needing more memory than the pool's workers hold.
const REFERENCE_HASH: &str =
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

#[tokio::test]
async fn hash_verifies_and_wrong_password_fails() {
    let pool = PasswordHasherPool::new(256, 1, 1, 2).unwrap();
    let h = pool.hash("Correct-horse-1").await.unwrap();
    assert!(h.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{h}");
    assert!(pool.verify("Correct-horse-1", Some(&h)).await);
    assert!(!pool.verify("correct-horse-1", Some(&h)).await);
}

#[tokio::test]
async fn unknown_login_never_verifies_even_with_the_dummy_password() {
    let pool = PasswordHasherPool::new(256, 1, 1, 2).unwrap();
    let before = pool.argon2_runs();
    assert!(
        !pool
            .verify("vhod dummy password for unknown logins", None)
            .await
    );
    assert_eq!(pool.argon2_runs() - before, 1, "the dummy costs one run");
}

#[tokio::test]
async fn hashes_of_the_argon2_crate_verify_and_ours_verify_there() {
    let pool = PasswordHasherPool::new(256, 1, 1, 1).unwrap();
    assert!(pool.verify("password", Some(REFERENCE_HASH)).await);
    assert!(!pool.verify("sassword", Some(REFERENCE_HASH)).await);
    // What the code before the worker pool stored: the crate's own hasher at the pool's cost.
    let params = Params::new(256, 1, 1, None).unwrap();
    let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(b"Correct-horse-1", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
    assert!(pool.verify("Correct-horse-1", Some(&theirs)).await);
    // And the other way: the crate's verifier accepts ours.
    let ours = pool.hash("Correct-horse-1").await.unwrap();
    let parsed = PasswordHash::new(&ours).unwrap();
    assert!(
        Argon2::default()
            .verify_password(b"Correct-horse-1", &parsed)
            .is_ok()
    );
    assert!(
        Argon2::default()
            .verify_password(b"Correct-horse-2", &parsed)
            .is_err()
    );
}

#[tokio::test]
async fn hashes_made_under_another_cost_still_verify() {
    let pool = PasswordHasherPool::new(256, 1, 1, 1).unwrap();
    // More memory than the worker's block, more lanes, more passes, and the older version.
    for (m, t, p, v) in [
        (1024, 1, 1, Version::V0x13),
        (64, 3, 2, Version::V0x13),
        (256, 2, 1, Version::V0x10),
    ] {
        let params = Params::new(m, t, p, None).unwrap();
        let stored = Argon2::new(Algorithm::Argon2id, v, params)
            .hash_password(b"Correct-horse-1", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(
            pool.verify("Correct-horse-1", Some(&stored)).await,
            "{stored}"
        );
        assert!(
            !pool.verify("Correct-horse-2", Some(&stored)).await,
            "{stored}"
        );
    }
    // The worker's own block is still right for its own cost afterwards.
    let h = pool.hash("Correct-horse-1").await.unwrap();
    assert!(pool.verify("Correct-horse-1", Some(&h)).await);
}

#[tokio::test]
async fn garbage_in_the_store_never_verifies() {
    let pool = PasswordHasherPool::new(256, 1, 1, 1).unwrap();
    for stored in [
        "",
        "not a hash",
        "$argon2id$v=19$m=256,t=1,p=1$c2FsdA$",
        "$bcrypt$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    ] {
        assert!(
            !pool.verify("Correct-horse-1", Some(stored)).await,
            "{stored}"
        );
    }
}

#[tokio::test]
async fn many_concurrent_sign_ins_share_the_workers() {
    let pool = PasswordHasherPool::new(256, 1, 1, 2).unwrap();
    let h = pool.hash("Correct-horse-1").await.unwrap();
    let before = pool.argon2_runs();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (pool, h) = (pool.clone(), h.clone());
            tokio::spawn(async move {
                let pw = if i % 2 == 0 {
                    "Correct-horse-1"
                } else {
                    "wrong"
                };
                pool.verify(pw, Some(&h)).await == (i % 2 == 0)
            })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap());
    }
    assert_eq!(pool.argon2_runs() - before, 16);
}
