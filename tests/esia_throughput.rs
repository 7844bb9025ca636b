//! Measurement (run on demand: `cargo test --test esia_throughput -- --ignored --nocapture`):
//! complete ESIA sign-ins per second beside OpenID Connect sign-ins, same run, same server, same
//! argon2 cost — each a fresh browser through the login page, then the code redeemed. ESIA adds a
//! GOST verification per request and GOST-signed tokens; it must stay within a factor of two.

mod common;
mod esia_rp;

use common::*;
use esia_rp::*;
use std::time::Instant;

const ROUNDS: usize = 20;

#[tokio::test]
#[ignore = "a measurement: run with --ignored --nocapture"]
async fn esia_sign_ins_per_second_beside_openid() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let rp = register_rp(&t, "PORTAL_BENCH", &[]).await;
    let (client_id, secret) = t.add_client(REDIRECT, false).await;
    let secret = secret.unwrap();
    t.add_person("+79005559999").await;
    // Consent once for each portal, so every round is login + code + token.
    let warm = Browser::new(&t.base);
    obtain_code(&t, &warm, &client_id, "+79005559999").await;
    let warm = Browser::new(&t.base);
    sign_in_and_allow(
        &warm,
        &rp.ac_url(&rp.ac_params(t.app.clock.now(), "openid fullname", &new_state(), PHP)),
        "+79005559999",
    )
    .await;

    let started = Instant::now();
    for _ in 0..ROUNDS {
        let b = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &b, &client_id, "+79005559999").await;
        let (status, _) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 200);
    }
    let oidc = ROUNDS as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    for _ in 0..ROUNDS {
        let b = Browser::new(&t.base);
        let url = rp.ac_url(&rp.ac_params(t.app.clock.now(), "openid fullname", &new_state(), PHP));
        let back = sign_in_and_allow(&b, &url, "+79005559999").await;
        let code = param(&back, "code").unwrap();
        let (status, _) = rp
            .te(&rp.code_form(t.app.clock.now(), &code, "openid fullname", PHP))
            .await;
        assert_eq!(status, 200);
    }
    let esia = ROUNDS as f64 / started.elapsed().as_secs_f64();
    println!("complete sign-ins per second: OpenID Connect {oidc:.1}, ESIA (GOST) {esia:.1}");
    assert!(esia > oidc / 2.0, "ESIA {esia:.1}/s vs OpenID {oidc:.1}/s");
}
