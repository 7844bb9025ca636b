//! Tests' check that a value kept in the cache between requests reads across a rolling deploy
//! (README, "Upgrading, one node at a time"): any node may serve a flow's next step, so a value one
//! build wrote is read by the other. A fixture is the JSON this release writes, frozen in the
//! test: it must stay readable by the next release (a new field needs `#[serde(default)]`; a field
//! is not renamed or removed while a release that writes it runs), and this release must read what
//! a newer one writes, with fields it does not know.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// `json` with a field added at the top level and in every nested object: what a newer release
/// that added fields writes.
pub fn with_newer_fields(json: &str) -> String {
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
    let mut v: serde_json::Value = serde_json::from_str(json).expect("fixture is JSON");
    add(&mut v);
    v.to_string()
}

/// Reads `fixture` (this release's shape: writing what was read gives it back) and the same with
/// a newer release's fields; returns the value read from the fixture.
pub fn reads_across_releases<T: Serialize + DeserializeOwned>(fixture: &str) -> T {
    let value: T = serde_json::from_str(fixture).expect("this release's value reads");
    let again = serde_json::to_value(&value).unwrap();
    let frozen: serde_json::Value = serde_json::from_str(fixture).unwrap();
    assert_eq!(again, frozen, "the fixture is not what this release writes");
    let _: T = serde_json::from_str(&with_newer_fields(fixture))
        .expect("a newer release's value (unknown fields) reads");
    value
}
