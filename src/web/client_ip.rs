//! The address a request comes from: the TCP peer, or — when the peer is one of
//! `server.trusted_proxies` — the address the proxies name in `X-Forwarded-For`. Resolved once per
//! request by the server's request layer ([`ClientIp`] in the request's extensions) and read by
//! [`super::meta::ClientMeta`], so the throttle, the lockout counters, the sign-in history and the
//! audit see the person's address, not the balancer's.

use crate::outbound::Net;
use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The header a reverse proxy appends the address of its own peer to.
pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// At most this many addresses of a forwarded chain are read (from the right): a chain longer than
/// the proxies in front of vhod is someone's forgery, and its start is not believed anyway.
const MAX_HOPS: usize = 16;

/// Whether this process has said that it ignores a forwarded address from an untrusted peer.
static WARNED: AtomicBool = AtomicBool::new(false);

/// `server.trusted_proxies`, parsed once.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<Vec<Net>>);

impl TrustedProxies {
    pub fn from_config(list: &str) -> TrustedProxies {
        TrustedProxies(Arc::new(
            list.split(',')
                .map(str::trim)
                .filter_map(Net::parse)
                .collect(),
        ))
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }
}

/// The request's client address as vhod believes it (an extension set by the request layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The client's address for a request from `peer`: the peer itself unless it is a trusted proxy;
/// then the `X-Forwarded-For` chain is read from the right (the address the trusted proxy saw
/// last) past every trusted proxy to the first address that is none — what a client wrote at the
/// chain's start itself is never reached while a proxy stands after it. A hop that is no address
/// stops the walk at the last believed one.
pub fn resolve(peer: SocketAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut client = peer.ip().to_canonical();
    if !trusted.trusts(client) {
        if headers.contains_key(FORWARDED_FOR) && !WARNED.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                peer = %client,
                "X-Forwarded-For from a peer that is not in server.trusted_proxies is ignored; \
                 behind a balancer, name it there (this is said once)"
            );
        }
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in hops.iter().rev().take(MAX_HOPS) {
        let Some(ip) = parse_hop(hop.trim()) else {
            break;
        };
        client = ip;
        if !trusted.trusts(ip) {
            break;
        }
    }
    client
}

/// One address of a chain: `192.0.2.1`, `2001:db8::1`, or either with a port (`[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(chain: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for line in chain {
            h.append(FORWARDED_FOR, HeaderValue::from_str(line).unwrap());
        }
        h
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 40_000)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_peer_that_is_no_trusted_proxy_is_the_client_whatever_it_forwards() {
        let trusted = TrustedProxies::from_config("10.0.0.0/8");
        let h = headers(&["203.0.113.7"]);
        assert_eq!(
            resolve(peer("198.51.100.1"), &h, &trusted),
            ip("198.51.100.1")
        );
        let none = TrustedProxies::from_config("");
        assert_eq!(resolve(peer("10.0.0.5"), &h, &none), ip("10.0.0.5"));
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_address_from_the_right_is_the_client() {
        let trusted = TrustedProxies::from_config("10.0.0.0/8, 192.168.1.1");
        // The client forged 1.2.3.4 at the start; the edge proxy appended the real address, the
        // inner proxy 10.0.0.2 its own peer (the edge proxy).
        let h = headers(&["1.2.3.4, 203.0.113.7", "192.168.1.1"]);
        assert_eq!(resolve(peer("10.0.0.2"), &h, &trusted), ip("203.0.113.7"));
        let v6 = headers(&["[2001:db8:1::7]:51000"]);
        assert_eq!(
            resolve(peer("10.0.0.2"), &v6, &trusted),
            ip("2001:db8:1::7")
        );
    }

    #[test]
    fn a_trusted_proxy_without_a_usable_chain_is_itself_or_the_last_believed_hop() {
        let trusted = TrustedProxies::from_config("127.0.0.1, ::1");
        assert_eq!(
            resolve(peer("127.0.0.1"), &headers(&[]), &trusted),
            ip("127.0.0.1")
        );
        let garbage = headers(&["203.0.113.9, unknown"]);
        assert_eq!(
            resolve(peer("127.0.0.1"), &garbage, &trusted),
            ip("127.0.0.1")
        );
        let all_trusted = headers(&["::1, 127.0.0.1"]);
        assert_eq!(resolve(peer("::1"), &all_trusted, &trusted), ip("::1"));
        // An IPv4 peer seen through a dual-stack socket is the IPv4 address.
        assert_eq!(
            resolve(peer("::ffff:198.51.100.3"), &headers(&[]), &trusted),
            ip("198.51.100.3")
        );
    }
}
