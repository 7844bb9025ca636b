//! A login transaction and an authorization code live in the cache between requests that any
//! node may serve, so during a rolling deploy (README, "Upgrading, one node at a time") a value one
//! build wrote is read by the other. These tests hold the two directions: what this release writes
//! (the fixtures, frozen here) must stay readable by the next — a new field needs
//! `#[serde(default)]`, a field may not be renamed or removed while a release that writes it runs —
//! and what a newer release writes, with fields this one does not know, must be readable by this.

use super::*;

/// An ESIA request's transaction as this release writes it.
const TX: &str = r#"{"client_id":"portal","client_name":"Портал","redirect_uri":"https://rp.example/cb","scopes":["openid","profile"],"state":"st","nonce":"n","code_challenge":"ch","prompt":["consent"],"max_age":600,"login_hint":null,"lang":"Ru","created_at":1780000000,"needs_fresh_login":false,"claims":null,"acr_values":[],"hint_sub":null,"sector":null,"min_level":"","required_acr":"","protocol":{"kind":"esia","offline":true},"org":{"asked":false,"required":false,"ogrns":[],"oids":[],"chosen":null}}"#;

/// An authorization code's data as this release writes it.
const CODE: &str = r#"{"client_id":"portal","redirect_uri":"https://rp.example/cb","account_id":"acc-42","scopes":["openid"],"nonce":null,"code_challenge":"ch","auth_time":1780000000,"acr":"low","amr":["pwd"],"expires_at":1780000060,"claims":null,"sid":"sid","org_oid":null}"#;

/// `json` with a field added at the top level and in every nested object: what a newer release
/// that added fields writes.
fn with_newer_fields(json: &str) -> String {
    fn add(v: &mut serde_json::Value) {
        if let serde_json::Value::Object(map) = v {
            for child in map.values_mut() {
                add(child);
            }
            map.insert(
                "added_by_a_newer_release".into(),
                serde_json::json!({"x": [1]}),
            );
        }
    }
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    add(&mut v);
    v.to_string()
}

#[test]
fn a_transaction_written_by_this_release_stays_readable() {
    let tx: AuthRequest = serde_json::from_str(TX).expect("this release's transaction");
    assert_eq!(tx.client_id.as_str(), "portal");
    assert_eq!(tx.scopes, ["openid", "profile"]);
    assert_eq!(tx.lang, Lang::Ru);
    assert_eq!(tx.protocol, Protocol::Esia { offline: true });
    assert_eq!(tx.code_challenge.as_deref(), Some("ch"));
    // And it is written the same way: the fixture is this release's own shape.
    let again = serde_json::to_value(&tx).unwrap();
    assert_eq!(
        again,
        serde_json::from_str::<serde_json::Value>(TX).unwrap()
    );
}

#[test]
fn a_transaction_written_by_a_newer_release_is_readable_here() {
    let tx: AuthRequest =
        serde_json::from_str(&with_newer_fields(TX)).expect("unknown fields are ignored");
    assert_eq!(tx.protocol, Protocol::Esia { offline: true });
    assert_eq!(tx.redirect_uri, "https://rp.example/cb");
}

#[test]
fn a_code_written_by_this_release_stays_readable() {
    let code: CodeData = serde_json::from_str(CODE).expect("this release's code");
    assert_eq!(code.account_id.as_str(), "acc-42");
    assert_eq!(code.amr, ["pwd"]);
    assert_eq!(code.sid.as_deref(), Some("sid"));
    let again = serde_json::to_value(&code).unwrap();
    assert_eq!(
        again,
        serde_json::from_str::<serde_json::Value>(CODE).unwrap()
    );
}

#[test]
fn a_code_written_by_a_newer_release_is_readable_here() {
    let code: CodeData =
        serde_json::from_str(&with_newer_fields(CODE)).expect("unknown fields are ignored");
    assert_eq!(code.expires_at, 1_780_000_060);
}
