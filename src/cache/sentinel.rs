//! Redis behind Sentinel (`cache.sentinels`, `cache.sentinel_master`): the sentinels name the
//! current master; a node asks them at start, and again whenever its master stops answering or
//! refuses a write (READONLY: it was demoted), and moves its connection to the master they name
//! once that server says it is one (`ROLE`). Meanwhile the cache is unavailable: requests answer
//! 503 with Retry-After, as in any Redis outage, and nothing waits longer than `timeout`.

use super::CacheError;
use super::redis_cache::{TlsFiles, client};
use std::time::Duration;

/// One sentinel: as the operator wrote it (password shown as ***), a client for it, and the
/// connection kept between questions (dropped when a question fails).
struct Sentinel {
    shown: String,
    client: redis::Client,
    conn: tokio::sync::Mutex<Option<redis::aio::MultiplexedConnection>>,
}

/// The sentinels of one master group.
pub(super) struct Sentinels {
    nodes: Vec<Sentinel>,
    master: String,
    timeout: Duration,
}

impl std::fmt::Debug for Sentinels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: Vec<&str> = self.nodes.iter().map(|s| s.shown.as_str()).collect();
        write!(f, "Sentinels({} at {})", self.master, shown.join(","))
    }
}

impl Sentinels {
    /// `list`: comma-separated `host:port`, `redis://[:password@]host:port` or
    /// `rediss://[:password@]host:port` (TLS, with the cache's CA and client certificate files,
    /// `tls`) of the sentinels; `master`: the group's name in their `sentinel monitor`. Both
    /// empty: no Sentinel (`None`).
    pub(super) fn parse(
        list: &str,
        master: &str,
        timeout: Duration,
        tls: &TlsFiles<'_>,
    ) -> Result<Option<Sentinels>, CacheError> {
        let entries: Vec<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        match (entries.is_empty(), master.trim().is_empty()) {
            (true, true) => return Ok(None),
            (true, false) => {
                return Err(CacheError::Setting(
                    "cache.sentinel_master is set but cache.sentinels names no sentinel".into(),
                ));
            }
            (false, true) => {
                return Err(CacheError::Setting(
                    "cache.sentinels is set but cache.sentinel_master (the name the sentinels \
                     monitor the master by) is empty"
                        .into(),
                ));
            }
            (false, false) => {}
        }
        let nodes = entries
            .into_iter()
            .map(|entry| {
                let url = if entry.contains("://") {
                    entry.to_owned()
                } else {
                    format!("redis://{entry}")
                };
                let shown = crate::store::redact(&url);
                let client = if url.starts_with("rediss://") {
                    client(&url, tls)
                        .map_err(|e| CacheError::Setting(format!("cache.sentinels: {e}")))?
                } else if url.starts_with("redis://") {
                    // Plain sentinels beside a master over TLS: the files are the master's.
                    redis::Client::open(url.as_str()).map_err(|e| {
                        CacheError::Setting(format!("cache.sentinels: {shown}: {e}"))
                    })?
                } else {
                    return Err(CacheError::Setting(format!(
                        "cache.sentinels: {shown}: a sentinel is host:port, redis://host:port \
                         or rediss://host:port"
                    )));
                };
                Ok(Sentinel {
                    shown,
                    client,
                    conn: tokio::sync::Mutex::new(None),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Sentinels {
            nodes,
            master: master.trim().to_owned(),
            timeout,
        }))
    }

    pub(super) fn master_name(&self) -> &str {
        &self.master
    }

    /// A client for each sentinel (for their announcements: `failover::listen`).
    pub(super) fn clients(&self) -> impl Iterator<Item = redis::Client> + '_ {
        self.nodes.iter().map(|s| s.client.clone())
    }

    /// Whether a `+switch-master` announcement (`NAME OLD-IP OLD-PORT NEW-IP NEW-PORT`) is about
    /// this group (a sentinel may watch several).
    pub(super) fn announces_this_group(&self, payload: &str) -> bool {
        payload.split(' ').next() == Some(self.master.as_str())
    }

    /// The master's address as the first sentinel that knows the group says (each asked in turn,
    /// each within `timeout`).
    pub(super) async fn master_addr(&self) -> Result<(String, u16), CacheError> {
        let mut why = Vec::new();
        for sentinel in &self.nodes {
            let shown = &sentinel.shown;
            match tokio::time::timeout(self.timeout, self.ask(sentinel)).await {
                Ok(Ok(Some(addr))) => return Ok(addr),
                Ok(Ok(None)) => why.push(format!("{shown}: does not monitor {}", self.master)),
                Ok(Err(e)) => why.push(format!("{shown}: {e}")),
                Err(_) => why.push(format!("{shown}: timed out")),
            }
        }
        Err(CacheError::Unavailable(format!(
            "no sentinel names the master {}: {}",
            self.master,
            why.join("; ")
        )))
    }

    /// One question on the sentinel's kept connection (made first if there is none; forgotten
    /// when the question fails or is cut short, so the next one connects anew).
    async fn ask(&self, sentinel: &Sentinel) -> Result<Option<(String, u16)>, String> {
        let mut kept = sentinel.conn.lock().await;
        let mut conn = match kept.take() {
            Some(conn) => conn,
            None => sentinel
                .client
                .get_multiplexed_async_connection()
                .await
                .map_err(|e| e.to_string())?,
        };
        let addr: Option<(String, String)> = redis::cmd("SENTINEL")
            .arg("GET-MASTER-ADDR-BY-NAME")
            .arg(&self.master)
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        *kept = Some(conn);
        match addr {
            None => Ok(None),
            Some((host, port)) => port
                .parse()
                .map(|port| Some((host, port)))
                .map_err(|_| format!("answered the port {port:?}")),
        }
    }
}

/// `url` (cache.url: the scheme, credentials and database the master is reached with) at the
/// master's `host` and `port`.
pub(super) fn at(url: &str, host: &str, port: u16) -> Result<String, CacheError> {
    let shown = crate::store::redact(url);
    let mut u =
        url::Url::parse(url).map_err(|e| CacheError::Setting(format!("cache.url {shown}: {e}")))?;
    u.set_host(Some(host)).map_err(|e| {
        CacheError::Unavailable(format!("the sentinels named the host {host:?}: {e}"))
    })?;
    u.set_port(Some(port))
        .map_err(|_| CacheError::Setting(format!("cache.url {shown} cannot take a port")))?;
    Ok(u.to_string())
}

/// Whether a failed command says the master may have moved: no answer (connection refused or
/// dropped, timed out) or a refusal to write (READONLY: the server is a replica now; MASTERDOWN: a
/// replica lost its master). Another error the server answered is about the command, not the
/// master.
pub(super) fn master_may_have_moved(e: &redis::RedisError) -> bool {
    use redis::{ErrorKind, ServerErrorKind};
    match e.kind() {
        ErrorKind::Io | ErrorKind::Client => true,
        ErrorKind::Server(kind) => {
            matches!(
                kind,
                ServerErrorKind::ReadOnly | ServerErrorKind::MasterDown
            )
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(1);
    const NO_TLS: TlsFiles<'static> = TlsFiles {
        ca: "",
        cert: "",
        key: "",
    };

    #[test]
    fn neither_setting_means_no_sentinel() {
        assert!(Sentinels::parse("", "", T, &NO_TLS).unwrap().is_none());
        assert!(Sentinels::parse(" , ", " ", T, &NO_TLS).unwrap().is_none());
    }

    #[test]
    fn one_setting_without_the_other_is_refused_by_name() {
        let e = Sentinels::parse("127.0.0.1:26379", "", T, &NO_TLS).unwrap_err();
        assert!(e.to_string().contains("cache.sentinel_master"), "{e}");
        let e = Sentinels::parse("", "vhod", T, &NO_TLS).unwrap_err();
        assert!(
            e.to_string().contains("cache.sentinels names no sentinel"),
            "{e}"
        );
    }

    #[test]
    fn sentinels_are_host_port_or_redis_urls_and_their_passwords_are_not_shown() {
        let s = Sentinels::parse(
            "10.0.0.1:26379, redis://:s3cret@10.0.0.2:26380, rediss://:s3cret@10.0.0.3:26381",
            "vhod",
            T,
            &NO_TLS,
        )
        .unwrap()
        .unwrap();
        let shown = format!("{s:?}");
        assert!(shown.contains("redis://10.0.0.1:26379"), "{shown}");
        assert!(shown.contains("redis://:***@10.0.0.2:26380"), "{shown}");
        assert!(shown.contains("rediss://:***@10.0.0.3:26381"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        let e = Sentinels::parse("http://:s3cret@10.0.0.1:26379", "vhod", T, &NO_TLS).unwrap_err();
        assert!(e.to_string().contains("host:port, redis://"), "{e}");
        assert!(!e.to_string().contains("s3cret"), "{e}");
        // A TLS sentinel reads the cache's TLS files: one that is missing is named.
        let missing = TlsFiles {
            ca: "/nonexistent/ca.pem",
            ..NO_TLS
        };
        let e =
            Sentinels::parse("rediss://:s3cret@10.0.0.1:26379", "vhod", T, &missing).unwrap_err();
        assert!(
            e.to_string().contains("cache.ca_file /nonexistent/ca.pem"),
            "{e}"
        );
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }

    #[test]
    fn only_the_groups_own_switch_announcements_count() {
        let s = Sentinels::parse("127.0.0.1:26379", "vhod", T, &NO_TLS)
            .unwrap()
            .unwrap();
        assert!(s.announces_this_group("vhod 10.0.0.1 6379 10.0.0.2 6379"));
        assert!(!s.announces_this_group("vhod-other 10.0.0.1 6379 10.0.0.2 6379"));
        assert!(!s.announces_this_group(""));
    }

    #[test]
    fn the_master_is_reached_with_the_urls_scheme_credentials_and_database() {
        assert_eq!(
            at("rediss://:pw@ignored.example:6379/2", "10.0.0.7", 6380).unwrap(),
            "rediss://:pw@10.0.0.7:6380/2"
        );
        assert_eq!(
            at("redis://localhost", "127.0.0.1", 16379).unwrap(),
            "redis://127.0.0.1:16379"
        );
    }

    #[test]
    fn only_silence_or_a_refused_write_sends_the_node_to_the_sentinels() {
        let refused =
            redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(master_may_have_moved(&refused));
        let timed_out = redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert!(master_may_have_moved(&timed_out));
        let parse = redis::RedisError::from((redis::ErrorKind::Parse, "bad reply"));
        assert!(!master_may_have_moved(&parse));
        let wrong_type = redis::RedisError::from((redis::ErrorKind::UnexpectedReturnType, "int"));
        assert!(!master_may_have_moved(&wrong_type));
    }
}
