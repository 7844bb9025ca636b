//! `[backchannel]`: sign-in approved on another device.

use serde::Deserialize;

/// Sign-in approved on another device: the device grant (RFC 8628) and CIBA.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backchannel {
    /// Seconds a client waits between two polls of the token endpoint (RFC 8628 `interval`).
    pub interval: i64,
    /// Lifetime of a device_code and its user_code, seconds.
    pub device_code_ttl: i64,
    /// Lifetime of a CIBA request when the client asks for none (`requested_expiry`), seconds.
    pub ciba_expiry: i64,
    /// The longest `requested_expiry` granted, seconds.
    pub ciba_max_expiry: i64,
    /// Wrong user codes one address may enter per hour (user codes are short: brute force).
    pub user_code_tries_per_ip_hour: i64,
}
