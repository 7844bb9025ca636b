//! The login transaction and the authorization code cross nodes of both builds during a rolling
//! deploy (`crate::cache::compat`): this release's shapes, frozen.

use super::*;
use crate::cache::compat::reads_across_releases;

/// An ESIA request's transaction as this release writes it.
const TX: &str = r#"{"client_id":"portal","client_name":"Портал","redirect_uri":"https://rp.example/cb","scopes":["openid","profile"],"state":"st","nonce":"n","code_challenge":"ch","prompt":["consent"],"max_age":600,"login_hint":null,"lang":"Ru","created_at":1780000000,"needs_fresh_login":false,"claims":null,"acr_values":[],"hint_sub":null,"sector":null,"min_level":"","required_acr":"","protocol":{"kind":"esia","offline":true},"org":{"asked":false,"required":false,"ogrns":[],"oids":[],"chosen":null}}"#;

/// An authorization code's data as this release writes it.
const CODE: &str = r#"{"client_id":"portal","redirect_uri":"https://rp.example/cb","account_id":"acc-42","scopes":["openid"],"nonce":null,"code_challenge":"ch","auth_time":1780000000,"acr":"low","amr":["pwd"],"expires_at":1780000060,"claims":null,"sid":"sid","org_oid":null}"#;

#[test]
fn a_transaction_reads_across_releases() {
    let tx: AuthRequest = reads_across_releases(TX);
    assert_eq!(tx.client_id.as_str(), "portal");
    assert_eq!(tx.scopes, ["openid", "profile"]);
    assert_eq!(tx.lang, Lang::Ru);
    assert_eq!(tx.protocol, Protocol::Esia { offline: true });
    assert_eq!(tx.code_challenge.as_deref(), Some("ch"));
}

#[test]
fn a_code_reads_across_releases() {
    let code: CodeData = reads_across_releases(CODE);
    assert_eq!(code.account_id.as_str(), "acc-42");
    assert_eq!(code.amr, ["pwd"]);
    assert_eq!(code.sid.as_deref(), Some("sid"));
    assert_eq!(code.expires_at, 1_780_000_060);
}
