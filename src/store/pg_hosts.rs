//! A PostgreSQL URL that names several servers, as libpq writes it:
//! `postgres://user:pw@db1:5432,db2:5432/vhod?sslmode=verify-full` — the primary and its standbys
//! in one setting. sqlx connects to one host, so the URL is split into one URL a server, each with
//! the same credentials, database and parameters; `primary.rs` finds which of them is the primary.
//! libpq's `target_session_attrs` may say `read-write` or `primary` (what vhod always wants); any
//! other value is refused, and the parameter is not passed on (sqlx does not know it).

/// One server of the list: its URL alone, and `host:port` to name it in messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Host {
    pub url: String,
    pub label: String,
}

/// The servers `url` names, in its order; one for a URL with one host (left as it is).
pub(crate) fn split(url: &str) -> Result<Vec<Host>, String> {
    let Some(Parts {
        scheme,
        user,
        hosts,
        tail,
    }) = parts(url)
    else {
        return Err("database.url has no scheme".into());
    };
    let userinfo = user.map(|u| format!("{u}@")).unwrap_or_default();
    if !hosts.contains(',') {
        return Ok(vec![Host {
            url: url.to_owned(),
            label: hosts.to_owned(),
        }]);
    }
    let tail = without_session_attrs(tail)?;
    hosts
        .split(',')
        .map(|host| {
            if host.is_empty() {
                return Err("database.url names an empty host in its list".to_owned());
            }
            Ok(Host {
                url: format!("{scheme}{userinfo}{host}{tail}"),
                label: host.to_owned(),
            })
        })
        .collect()
}

/// The path and query with `target_session_attrs` taken out.
fn without_session_attrs(tail: &str) -> Result<String, String> {
    let Some((path, query)) = tail.split_once('?') else {
        return Ok(tail.to_owned());
    };
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("target_session_attrs", "read-write" | "primary")) => {}
            Some(("target_session_attrs", other)) => {
                return Err(format!(
                    "database.url: target_session_attrs={other} is not supported: vhod writes, \
                     so it always connects to the primary (read-write)"
                ));
            }
            _ => kept.push(pair),
        }
    }
    Ok(if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    })
}

/// A database or cache URL with its password replaced by `***` (for messages and logs), whatever
/// its host list.
pub fn redact(url: &str) -> String {
    match parts(url) {
        Some(Parts {
            scheme,
            user: Some(user),
            hosts,
            tail,
        }) => match user.split_once(':') {
            Some((name, _password)) => format!("{scheme}{name}:***@{hosts}{tail}"),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

/// A URL's `scheme://`, `user[:password]` (before the last `@` of the authority), host list, and
/// the path and query after them.
struct Parts<'a> {
    scheme: &'a str,
    user: Option<&'a str>,
    hosts: &'a str,
    tail: &'a str,
}

fn parts(url: &str) -> Option<Parts<'_>> {
    let scheme_end = url.find("://")? + 3;
    let (scheme, rest) = url.split_at(scheme_end);
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (user, hosts) = match authority.rsplit_once('@') {
        Some((user, hosts)) => (Some(user), hosts),
        None => (None, authority),
    };
    Some(Parts {
        scheme,
        user,
        hosts,
        tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_host_is_left_as_it_is() {
        let url = "postgres://vhod:pw@db:5432/vhod?sslmode=require";
        assert_eq!(
            split(url).unwrap(),
            vec![Host {
                url: url.into(),
                label: "db:5432".into()
            }]
        );
    }

    #[test]
    fn a_list_gives_one_url_a_server_with_the_same_credentials_and_parameters() {
        let hosts = split(
            "postgresql://vhod:p%40ss@db1:5432,db2,[::1]:5433/vhod?sslmode=verify-full\
             &target_session_attrs=read-write&application_name=vhod",
        )
        .unwrap();
        let urls: Vec<_> = hosts.iter().map(|h| h.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "postgresql://vhod:p%40ss@db1:5432/vhod?sslmode=verify-full&application_name=vhod",
                "postgresql://vhod:p%40ss@db2/vhod?sslmode=verify-full&application_name=vhod",
                "postgresql://vhod:p%40ss@[::1]:5433/vhod?sslmode=verify-full&application_name=vhod",
            ]
        );
        let labels: Vec<_> = hosts.iter().map(|h| h.label.as_str()).collect();
        assert_eq!(labels, ["db1:5432", "db2", "[::1]:5433"]);
    }

    #[test]
    fn a_list_without_credentials_or_path_splits_too() {
        let hosts = split("postgres://a:1,b:2").unwrap();
        assert_eq!(hosts[0].url, "postgres://a:1");
        assert_eq!(hosts[1].url, "postgres://b:2");
        let hosts = split("postgres://u@a,b?target_session_attrs=primary").unwrap();
        assert_eq!(hosts[1].url, "postgres://u@b");
    }

    #[test]
    fn a_standby_or_an_empty_host_is_refused_with_the_reason() {
        let err = split("postgres://a,b/db?target_session_attrs=any").unwrap_err();
        assert!(err.contains("target_session_attrs=any"), "{err}");
        let err = split("postgres://a,,b/db").unwrap_err();
        assert!(err.contains("empty host"), "{err}");
    }

    #[test]
    fn the_password_is_hidden_whatever_the_host_list() {
        assert_eq!(
            redact("postgres://vhod:secret@db1:5432,db2:5432/vhod"),
            "postgres://vhod:***@db1:5432,db2:5432/vhod"
        );
        assert_eq!(
            redact("postgres://vhod:s@cr:et@db/vhod?x=1"),
            "postgres://vhod:***@db/vhod?x=1"
        );
        assert_eq!(redact("postgres://vhod@db/vhod"), "postgres://vhod@db/vhod");
        assert_eq!(redact("sqlite://data/vhod.db"), "sqlite://data/vhod.db");
    }
}
