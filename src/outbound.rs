//! The one way vhod fetches a URL given by a client or a certificate (request_uri, jwks_uri,
//! sector_identifier_uri, back-channel logout, CRLs): https only outside dev mode, no proxy, no
//! redirects, a size and a time limit, and only public addresses unless `outbound.allow` lists the
//! network or host. The address is checked where the connection is made: a resolver that refuses
//! internal addresses after resolving (so a name that resolves to 127.0.0.1, or re-resolves to it
//! later, cannot pass), and IP-literal URLs, which never reach a resolver, before connecting.
//! Gateways the operator configures (registry, SMS) do not go through here.

use crate::config::Config;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Refused by policy before any connection: scheme, malformed URL, internal address.
    #[error("refused: {0}")]
    Refused(String),
    #[error("the response is larger than {0} bytes")]
    TooLarge(usize),
    #[error("answered HTTP {0}")]
    Status(u16),
    #[error("could not be fetched: {0}")]
    Failed(String),
}

/// A network in `outbound.allow` (or `server.trusted_proxies`): an address or address/prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub fn parse(text: &str) -> Option<Net> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Net { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// What may be reached, from `[outbound]` and `[dev]`.
#[derive(Debug, Clone)]
pub struct Policy {
    nets: Vec<Net>,
    hosts: Vec<String>,
    /// http as well as https (dev mode only).
    allow_http: bool,
    pub max_bytes: usize,
    pub timeout: Duration,
}

impl Policy {
    /// Public addresses over https only, default limits: for callers without a configuration.
    pub fn strict() -> Policy {
        Policy {
            nets: Vec::new(),
            hosts: Vec::new(),
            allow_http: false,
            max_bytes: 64 * 1024,
            timeout: Duration::from_secs(5),
        }
    }

    pub fn from_config(config: &Config) -> Result<Policy, String> {
        let o = &config.outbound;
        let mut nets = Vec::new();
        let mut hosts = Vec::new();
        for item in o.allow.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let looks_like_ip = item.contains('/')
                || item.contains(':')
                || item.chars().all(|c| c.is_ascii_digit() || c == '.');
            match Net::parse(item) {
                Some(net) => nets.push(net),
                None if looks_like_ip => {
                    return Err(format!(
                        "outbound.allow: `{item}` is not an address or network"
                    ));
                }
                None => hosts.push(item.trim_end_matches('.').to_ascii_lowercase()),
            }
        }
        if o.max_bytes == 0 || o.timeout_ms == 0 {
            return Err("outbound.max_bytes and outbound.timeout_ms must be positive".into());
        }
        Ok(Policy {
            nets,
            hosts,
            allow_http: config.dev.enabled,
            max_bytes: o.max_bytes as usize,
            timeout: Duration::from_millis(o.timeout_ms),
        })
    }

    /// Whether `host` (as named in the URL) may be reached at `ip`.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        !is_internal(ip) || self.hosts.contains(&host) || self.nets.iter().any(|n| n.contains(ip))
    }

    /// Scheme and IP-literal checks, before anything is sent.
    pub fn check_url(&self, raw: &str) -> Result<url::Url, FetchError> {
        let refused = |why: &str| FetchError::Refused(why.to_string());
        let url = url::Url::parse(raw).map_err(|_| refused("not a URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            _ => return Err(refused("only https URLs are fetched")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refused("credentials in the URL"));
        }
        let literal = match url.host() {
            None => return Err(refused("no host")),
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => None,
        };
        if let Some(ip) = literal
            && !self.permits(&ip.to_string(), ip)
        {
            return Err(refused("the address is internal"));
        }
        Ok(url)
    }
}

/// Loopback, private, link-local, unique-local, multicast, unspecified, shared (CGNAT),
/// documentation, benchmarking, reserved and broadcast addresses, and IPv6 forms embedding them.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT), RFC 6598
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let seg = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (seg[0] & 0xffc0) == 0xfe80 // link-local
        || (seg[0] & 0xfe00) == 0xfc00 // unique local
        || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
        // IPv4-compatible (deprecated) and NAT64 / 6to4 forms reach the embedded IPv4 address.
        || (seg[..6] == [0; 6] && is_internal_v4(embedded_v4(seg[6], seg[7])))
        || (seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] && is_internal_v4(embedded_v4(seg[6], seg[7])))
        || (seg[0] == 0x2002 && is_internal_v4(embedded_v4(seg[1], seg[2])))
}

/// Resolves, then keeps only the addresses the policy permits: checked at connection time.
struct GuardedResolver {
    policy: Arc<Policy>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0} resolves only to internal addresses")]
struct InternalOnly(String);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|a| policy.permits(&host, a.ip()))
                .collect();
            if permitted.is_empty() {
                tracing::warn!(host = %host, "outbound fetch refused: internal address");
                return Err(
                    Box::new(InternalOnly(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(permitted.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The guarded HTTP client (cheap to clone).
#[derive(Clone, Debug)]
pub struct Outbound {
    policy: Arc<Policy>,
    http: reqwest::Client,
}

impl Outbound {
    pub fn new(policy: Policy) -> Result<Outbound, String> {
        let policy = Arc::new(policy);
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout)
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
            }))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Outbound { policy, http })
    }

    pub fn from_config(config: &Config) -> Result<Outbound, String> {
        Outbound::new(Policy::from_config(config)?)
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// GET `url`: a 2xx answer of at most `outbound.max_bytes`.
    pub async fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        self.get_limited(url, self.policy.max_bytes).await
    }

    /// GET `url` with its own size limit (CRLs are larger than request objects).
    pub async fn get_limited(&self, url: &str, max: usize) -> Result<Vec<u8>, FetchError> {
        let url = self.policy.check_url(url)?;
        self.read(self.http.get(url), max).await
    }

    /// POST a form to `url` (back-channel logout); the body of a 2xx answer, size-limited.
    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Result<Vec<u8>, FetchError> {
        let url = self.policy.check_url(url)?;
        self.read(self.http.post(url).form(form), self.policy.max_bytes)
            .await
    }

    /// POST a JSON body with a Bearer token to `url` (CIBA ping); success is any 2xx answer.
    pub async fn post_json_bearer(
        &self,
        url: &str,
        body: &serde_json::Value,
        token: &str,
    ) -> Result<(), FetchError> {
        let url = self.policy.check_url(url)?;
        self.read(
            self.http.post(url).bearer_auth(token).json(body),
            self.policy.max_bytes,
        )
        .await
        .map(|_| ())
    }

    async fn read(&self, req: reqwest::RequestBuilder, max: usize) -> Result<Vec<u8>, FetchError> {
        let failed = |e: reqwest::Error| {
            // The resolver's refusal arrives as a connect error; name it as the refusal it is.
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(c) = cause {
                if c.downcast_ref::<InternalOnly>().is_some() {
                    return FetchError::Refused("the host resolves to an internal address".into());
                }
                cause = c.source();
            }
            FetchError::Failed(e.without_url().to_string())
        };
        let mut res = req.send().await.map_err(failed)?;
        if !res.status().is_success() {
            return Err(FetchError::Status(res.status().as_u16()));
        }
        if res.content_length().is_some_and(|n| n > max as u64) {
            return Err(FetchError::TooLarge(max));
        }
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > max {
                return Err(FetchError::TooLarge(max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow: &str, dev: bool) -> Policy {
        let mut c = Config::defaults();
        c.outbound.allow = allow.into();
        c.dev.enabled = dev;
        Policy::from_config(&c).unwrap()
    }

    #[test]
    fn internal_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2a00:1450:4010::1",
            "172.32.0.1",
        ] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn allow_lists_networks_and_hosts() {
        let p = policy("127.0.0.0/8, ::1, rp.internal", false);
        assert!(p.permits("x", "127.0.0.2".parse().unwrap()));
        assert!(p.permits("x", "::ffff:127.0.0.1".parse().unwrap()));
        assert!(p.permits("x", "::1".parse().unwrap()));
        assert!(!p.permits("x", "10.0.0.1".parse().unwrap()));
        assert!(p.permits("RP.internal.", "10.0.0.1".parse().unwrap()));
        let mut c = Config::defaults();
        c.outbound.allow = "10.0.0.0/33".into();
        assert!(Policy::from_config(&c).is_err());
    }

    #[test]
    fn urls_are_checked_before_connecting() {
        let strict = policy("", false);
        for bad in [
            "http://example.org/x",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1/x",
            "https://[::ffff:7f00:1]/x",
            "https://user:pw@example.org/x",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(strict.check_url(bad), Err(FetchError::Refused(_))),
                "{bad}"
            );
        }
        assert!(strict.check_url("https://example.org/jwks").is_ok());
        assert!(policy("", true).check_url("http://example.org/x").is_ok());
    }
}
