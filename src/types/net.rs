//! The block of addresses a per-address limit counts as one client.

use std::net::IpAddr;

/// The block `ip` is counted in by per-address limits (the throttle, the lockout's per-address
/// counters): an IPv4 address is itself; an IPv6 address is its /64 — one subscriber's network,
/// whose 2^64 addresses cost its owner nothing to change between two requests. Text that is no
/// address is its own block.
pub fn address_block(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(|a| a.to_canonical()) {
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_of_one_64_are_one_block_ipv4_addresses_are_their_own() {
        assert_eq!(address_block("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(
            address_block("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            "2001:db8:1:2::/64"
        );
        assert_ne!(
            address_block("2001:db8:1:3::1"),
            address_block("2001:db8:1:2::1")
        );
        assert_eq!(address_block("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_block("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(address_block("unknown"), "unknown");
    }
}
