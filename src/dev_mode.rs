//! Development mode shows every SMS code and recovery link at /dev/outbox, unauthenticated: it is
//! for a developer's own machine only. It stays on by default (one-command start on localhost) but
//! refuses to start when the configuration looks like a deployment: an https issuer, an issuer host
//! that is not loopback, or a listener reachable from other machines.

use std::net::{IpAddr, SocketAddr};

/// Why dev mode may not run with this issuer and bind address, as one line; None when it may.
pub fn refusal(issuer: &url::Url, bind: &str) -> Option<String> {
    let fix = "set VHOD_DEV__ENABLED=false (dev.enabled = false) for any deployment";
    if issuer.scheme() == "https" {
        return Some(format!(
            "development mode (it publishes every SMS code at /dev/outbox) cannot run with an https issuer; {fix}"
        ));
    }
    if !issuer
        .host()
        .is_some_and(|h| is_loopback_host(&h.to_string()))
    {
        return Some(format!(
            "development mode (it publishes every SMS code at /dev/outbox) runs only with a loopback issuer host (localhost, 127.0.0.0/8, ::1), not {}; {fix}",
            issuer.host_str().unwrap_or("")
        ));
    }
    if !is_loopback_bind(bind) {
        return Some(format!(
            "development mode (it publishes every SMS code at /dev/outbox) listens only on a loopback address, not {bind}; {fix}"
        ));
    }
    None
}

fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn is_loopback_bind(bind: &str) -> bool {
    if let Ok(addr) = bind.parse::<SocketAddr>() {
        return addr.ip().is_loopback();
    }
    bind.rsplit_once(':')
        .is_some_and(|(host, port)| port.parse::<u16>().is_ok() && is_loopback_host(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn loopback_issuers_and_listeners_are_allowed() {
        for (issuer, bind) in [
            ("http://localhost:8080", "127.0.0.1:8080"),
            ("http://127.0.0.5:8080", "localhost:8080"),
            ("http://[::1]:8080", "[::1]:8080"),
        ] {
            assert_eq!(refusal(&url(issuer), bind), None, "{issuer} {bind}");
        }
    }

    #[test]
    fn deployments_are_refused() {
        for (issuer, bind) in [
            ("https://localhost:8080", "127.0.0.1:8080"),
            ("http://id.example.gov", "127.0.0.1:8080"),
            ("http://10.0.0.5:8080", "127.0.0.1:8080"),
            ("http://localhost.example.gov", "127.0.0.1:8080"),
            ("http://localhost:8080", "0.0.0.0:8080"),
            ("http://localhost:8080", "[::]:8080"),
            ("http://localhost:8080", "192.168.1.2:8080"),
        ] {
            let r = refusal(&url(issuer), bind).expect(issuer);
            assert_eq!(r.lines().count(), 1);
        }
    }
}
