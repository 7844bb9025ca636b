use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect::<Vec<_>>()
        .into_iter()
}

#[test]
fn defaults_bind_localhost_8080_with_localhost_issuer() {
    let c = Config::defaults();
    assert_eq!(c.server.bind, "127.0.0.1:8080");
    assert_eq!(c.server.issuer, "http://localhost:8080");
    assert_eq!(c.cache.url, "memory");
}

#[test]
fn env_overrides_typed_values() {
    let c = Config::from_layers(
        None,
        env(&[
            ("VHOD_SERVER__BIND", "0.0.0.0:9000"),
            ("VHOD_DEV__ENABLED", "false"),
            ("VHOD_TOKENS__ACCESS_TTL", "120"),
            ("UNRELATED", "x"),
        ]),
    )
    .unwrap();
    assert_eq!(c.server.bind, "0.0.0.0:9000");
    assert!(!c.dev.enabled);
    assert_eq!(c.tokens.access_ttl, 120);
}

#[test]
fn unknown_env_key_is_named_in_the_error() {
    let err = Config::from_layers(None, env(&[("VHOD_SERVER__BINDD", "x")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown configuration key `VHOD_SERVER__BINDD`"
    );
}

#[test]
fn unknown_file_key_is_named_in_the_error() {
    let file: Table = "[database]\nurll = \"x\"".parse().unwrap();
    let err = Config::from_layers(Some(file), std::iter::empty()).unwrap_err();
    assert_eq!(err.to_string(), "unknown configuration key `database.urll`");
}

#[test]
fn wrongly_typed_env_value_is_refused() {
    let err = Config::from_layers(None, env(&[("VHOD_DEV__ENABLED", "maybe")])).unwrap_err();
    assert!(err.to_string().contains("VHOD_DEV__ENABLED"));
}
