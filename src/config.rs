//! Typed configuration: config/default.toml (built in) → optional file → VHOD_<SECTION>__<KEY> env.
//! Unknown keys anywhere are an error naming the key, so a typo never silently falls back to a default.

use serde::Deserialize;
use toml::{Table, Value};
pub mod backchannel;
pub mod retention;

pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown configuration key `{0}`")]
    UnknownKey(String),
    #[error("configuration key `{key}`: {reason}")]
    BadValue { key: String, reason: String },
    #[error("configuration file {path}: {reason}")]
    File { path: String, reason: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: Server,
    pub database: Database,
    pub cache: Cache,
    pub keys: Keys,
    pub dev: Dev,
    pub demo: Demo,
    pub password: Password,
    pub tokens: Tokens,
    pub session: Session,
    pub registration: Registration,
    pub qes: Qes,
    pub identity: Identity,
    pub bank: Bank,
    pub login: Login,
    pub notify: Notify,
    pub push: crate::notify::push::PushConfig,
    pub email: crate::notify::smtp::EmailConfig,
    pub codes: Codes,
    pub outbound: Outbound,
    pub branding: Branding,
    pub esia: Esia,
    pub log: Log,
    pub backchannel: backchannel::Backchannel,
    pub retention: retention::Retention,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub bind: String,
    pub issuer: String,
    pub hsts_include_subdomains: bool,
    pub trusted_proxies: String,
    /// A second address serving only /metrics, /healthz and /readyz; empty = the main address does.
    pub admin_bind: String,
    /// On SIGTERM, how long the node goes on serving with `/readyz` answering 503 before it stops
    /// accepting connections (0: it stops at once).
    pub drain_secs: u64,
    /// On SIGTERM, how long in-flight requests and the running job may take before the exit.
    pub shutdown_secs: u64,
    /// How long a connection may take to send a request's head (and stay idle between requests).
    pub header_read_timeout_secs: u64,
    /// How long a request's body may take to arrive, from its head.
    pub body_read_timeout_secs: u64,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub url: String,
    pub schema: String,
    pub max_connections: u32,
    /// How long a request waits for a database connection (or Redis) before answering 503.
    pub acquire_timeout_secs: u64,
    /// With several PostgreSQL servers in `url`: how often a node asks whether the one it uses is
    /// still the primary without a reason to (an error makes it ask at once), ms.
    pub primary_recheck_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cache {
    pub url: String,
    pub prefix: String,
    /// The memory cache's bound in MiB (cache/memory.rs); not used with Redis (its `maxmemory`).
    pub memory_max_mb: u64,
    /// With a rediss:// URL: PEM CA certificates to trust instead of the system's, and the
    /// client certificate and key Redis asks for (`tls-auth-clients`). Empty: not used.
    pub ca_file: String,
    pub client_cert_file: String,
    pub client_key_file: String,
    /// Redis behind Sentinel: the sentinels (comma-separated `host:port` or `redis://…`) and the
    /// name they monitor the master by. Empty: `url` is the server itself.
    pub sentinels: String,
    pub sentinel_master: String,
    /// How often a node asks the sentinels where the master is without a reason to (a failed
    /// command and a sentinel's announcement make it ask at once), ms.
    pub sentinel_recheck_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    pub kek_file: String,
    pub kek: String,
    pub rsa_bits: u32,
    pub prepublish_secs: i64,
    pub rotate_every_days: i64,
    pub extra_kek_files: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dev {
    pub enabled: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demo {
    pub enabled: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Password {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub max_concurrent: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tokens {
    pub code_ttl: i64,
    pub access_ttl: i64,
    pub id_ttl: i64,
    pub refresh_ttl: i64,
    pub refresh_reuse_grace: i64,
}

/// The ESIA wire protocol (src/esia).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Esia {
    /// How far a request's `timestamp` may be from now, in seconds (either way).
    pub timestamp_tolerance: i64,
    /// How long a replaced client certificate is still accepted, in seconds.
    pub certificate_overlap: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// "text" (human-readable lines) or "json" (one JSON object per line).
    pub format: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub ttl: i64,
    pub login_tx_ttl: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub terms_version: String,
    pub privacy_version: String,
    pub code_ttl: i64,
    pub max_attempts: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qes {
    pub trust_dir: String,
    pub crls: String,
    pub crl_refresh_secs: i64,
    pub require_crl: bool,
    pub session_ttl: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub verifier: String,
    pub registry_url: String,
    pub registry_auth: String,
    pub registry_timeout_secs: u64,
    pub registry_max_attempts: i64,
    pub no_answer_days: i64,
    pub poll_secs: i64,
    pub letter_valid_days: i64,
    pub letter_reorder_days: i64,
    pub letter_dir: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bank {
    pub issuer: String,
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
}

/// Login hardening: proof-of-work, lockout, per-IP rate limit, second factors.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub pow_after_failures: i64,
    pub pow_bits: u32,
    pub pow_ttl: i64,
    pub pow_wait_secs: i64,
    pub lock_after_failures: i64,
    pub lock_window: i64,
    pub lock_secs: i64,
    pub rate_per_minute: u32,
    pub rate_burst: u32,
    pub authorize_rate_per_minute: u32,
    pub authorize_rate_burst: u32,
    pub sms_code_ttl: i64,
}

/// The one guard in front of every SMS and e-mail code (authn/code_sender): resend cooldown,
/// hourly caps per destination and per client IP, and a global hourly budget that raises an alarm.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Codes {
    pub resend_after: i64,
    pub per_destination_hour: u32,
    pub per_ip_hour: u32,
    pub global_per_hour: u32,
}

/// How notifications leave: SMS to the outbox (development) or an HTTP gateway.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    pub sms: String,
    pub sms_url: String,
    pub sms_auth_header: String,
    pub sms_sender: String,
    pub sms_timeout_ms: u64,
    pub sms_retries: u32,
}

/// URLs fetched on behalf of clients and certificates (see `outbound`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outbound {
    pub allow: String,
    pub max_bytes: u64,
    pub timeout_ms: u64,
    pub jwks_refetch_secs: i64,
}

/// How the pages present the service: its name, logo, support contacts and the documents a person
/// accepts at registration. Empty values fall back to vhod's own (the name) or are not shown.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    pub name: String,
    pub logo_url: String,
    pub support_phone: String,
    pub support_email: String,
    pub terms_url: String,
    pub privacy_url: String,
}

impl Config {
    /// Defaults only (tests start from here and change fields).
    pub fn defaults() -> Config {
        Self::from_layers(None, std::iter::empty()).expect("built-in defaults are valid")
    }

    /// The real loader: defaults, then `file` if given, then every `VHOD_<SECTION>__<KEY>` variable.
    pub fn load(file: Option<&std::path::Path>) -> Result<Config, ConfigError> {
        let overlay = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| ConfigError::File {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })?;
                Some(text.parse::<Table>().map_err(|e| ConfigError::File {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })?)
            }
            None => None,
        };
        Self::from_layers(overlay, std::env::vars())
    }

    pub fn from_layers(
        file: Option<Table>,
        env: impl Iterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table: Table = DEFAULT_TOML.parse().expect("config/default.toml parses");
        if let Some(file) = file {
            for (section, value) in file {
                let Value::Table(keys) = value else {
                    return Err(ConfigError::UnknownKey(section));
                };
                for (key, v) in keys {
                    set_key(&mut table, &section, &key, v)?;
                }
            }
        }
        for (name, raw) in env {
            let Some(rest) = name.strip_prefix("VHOD_") else {
                continue;
            };
            let Some((section, key)) = rest.split_once("__") else {
                continue;
            };
            let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
            let current = table
                .get(&section)
                .and_then(|s| s.get(&key))
                .ok_or_else(|| ConfigError::UnknownKey(name.clone()))?;
            let value = parse_like(current, &raw).map_err(|reason| ConfigError::BadValue {
                key: name.clone(),
                reason,
            })?;
            set_key(&mut table, &section, &key, value)?;
        }
        let config: Config = Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::BadValue {
                key: "configuration".into(),
                reason: e.to_string(),
            })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, reason: &str| ConfigError::BadValue {
            key: key.into(),
            reason: reason.into(),
        };
        let issuer = url::Url::parse(&self.server.issuer)
            .map_err(|e| bad("server.issuer", &e.to_string()))?;
        if !matches!(issuer.scheme(), "http" | "https") || self.server.issuer.ends_with('/') {
            return Err(bad(
                "server.issuer",
                "must be an http(s) URL without a trailing slash",
            ));
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(bad("log.format", "must be \"text\" or \"json\""));
        }
        if self.database.acquire_timeout_secs == 0 {
            return Err(bad("database.acquire_timeout_secs", "must be at least 1"));
        }
        if self.dev.enabled
            && let Some(reason) = crate::dev_mode::refusal(&issuer, &self.server.bind)
        {
            return Err(bad("dev.enabled", &reason));
        }
        // The same rule `identity::verifier::Verifier::from_config` applies, checked here so a
        // wrong value stops start-up before anything is opened.
        match self.identity.verifier.as_str() {
            "simulator" => {}
            "http" if self.identity.registry_url.is_empty() => {
                return Err(bad(
                    "identity.verifier",
                    "identity.verifier = \"http\" needs identity.registry_url",
                ));
            }
            "http" => {}
            other => {
                return Err(bad(
                    "identity.verifier",
                    &format!("identity.verifier must be \"simulator\" or \"http\", not {other:?}"),
                ));
            }
        }
        if let Some(wrong) = self
            .server
            .trusted_proxies
            .split(',')
            .map(str::trim)
            .find(|n| !n.is_empty() && crate::outbound::Net::parse(n).is_none())
        {
            return Err(bad(
                "server.trusted_proxies",
                &format!("{wrong:?} is not an IP address or network"),
            ));
        }
        for (key, url) in [
            ("branding.logo_url", &self.branding.logo_url),
            ("branding.terms_url", &self.branding.terms_url),
            ("branding.privacy_url", &self.branding.privacy_url),
        ] {
            let local = url.starts_with('/') && !url.starts_with("//");
            if !url.is_empty() && !local && !url.starts_with("https://") {
                return Err(bad(
                    key,
                    "must be a path on this server (/...) or an https URL",
                ));
            }
        }
        if !self.branding.logo_url.is_empty() && !self.branding.logo_url.starts_with('/') {
            // The pages' Content-Security-Policy allows images from this server only.
            return Err(bad(
                "branding.logo_url",
                "must be a path on this server (the pages load images from their own origin only)",
            ));
        }
        if !(1..=60).contains(&self.tokens.code_ttl) {
            return Err(bad("tokens.code_ttl", "must be between 1 and 60 seconds"));
        }
        Ok(())
    }

    pub fn issuer_is_https(&self) -> bool {
        self.server.issuer.starts_with("https://")
    }

    pub fn is_postgres(&self) -> bool {
        self.database.url.starts_with("postgres://")
            || self.database.url.starts_with("postgresql://")
    }
}

fn set_key(table: &mut Table, section: &str, key: &str, value: Value) -> Result<(), ConfigError> {
    let full = format!("{section}.{key}");
    let slot = table
        .get_mut(section)
        .and_then(|s| s.as_table_mut())
        .and_then(|s| s.get_mut(key))
        .ok_or_else(|| ConfigError::UnknownKey(full.clone()))?;
    if std::mem::discriminant(slot) != std::mem::discriminant(&value) {
        return Err(ConfigError::BadValue {
            key: full,
            reason: format!("expected a {}", slot.type_str()),
        });
    }
    *slot = value;
    Ok(())
}

fn parse_like(current: &Value, raw: &str) -> Result<Value, String> {
    match current {
        Value::String(_) => Ok(Value::String(raw.to_string())),
        Value::Integer(_) => raw
            .trim()
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| format!("`{raw}` is not an integer")),
        Value::Boolean(_) => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Value::Boolean(true)),
            "false" | "0" | "no" | "off" => Ok(Value::Boolean(false)),
            _ => Err(format!("`{raw}` is not a boolean")),
        },
        other => Err(format!(
            "cannot override a {} from the environment",
            other.type_str()
        )),
    }
}

#[cfg(test)]
mod tests;
