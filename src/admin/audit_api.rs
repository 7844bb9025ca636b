//! `GET /admin/api/audit`: the audit log oldest first, a page at a time. `since` (unix seconds,
//! 0) keeps to entries written then or later, `after` (a position, 0) starts after that entry,
//! `limit` (1000, at most 10 000) bounds the page; a full page answers with
//! `Link: </admin/api/audit?…>; rel="next"` (RFC 8288) naming the page after it, so a reader
//! walks the whole log without any one answer — or the node's memory — holding it.

use super::handlers::guard;
use super::problem::Problem;
use crate::oidc::OidcState;
use crate::web::params::Params;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::ops::RangeInclusive;

/// Entries a page holds unless the caller asks for fewer or more.
const DEFAULT_LIMIT: i64 = 1_000;
/// Entries a page may hold.
const MAX_LIMIT: i64 = 10_000;

pub async fn audit_log(
    State(app): State<OidcState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let answer = async {
        guard(&app, &headers, "get", "/admin/api/audit").await?;
        let p = Params::from_query(q.as_deref()).map_err(|e| bad(e.to_string()))?;
        let since = number(&p, "since", 0, i64::MIN..=i64::MAX, "unix seconds")?;
        let after = number(
            &p,
            "after",
            0,
            0..=i64::MAX,
            "an entry's position, 0 or more",
        )?;
        let limit = number(&p, "limit", DEFAULT_LIMIT, 1..=MAX_LIMIT, "1 to 10000")?;
        let rows = app.store.audit_after(since, after, limit).await?;
        let next = match rows.last() {
            Some(last) if rows.len() as i64 == limit => Some(format!(
                "</admin/api/audit?since={since}&after={}&limit={limit}>; rel=\"next\"",
                last.seq
            )),
            _ => None,
        };
        Ok::<_, Problem>((rows, next))
    }
    .await;
    match answer {
        Ok((rows, next)) => {
            let mut res = Json(rows).into_response();
            if let Some(link) = next.and_then(|l| HeaderValue::from_str(&l).ok()) {
                res.headers_mut().insert(header::LINK, link);
            }
            res
        }
        Err(p) => p.into_response(),
    }
}

fn bad(detail: String) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "Bad request", detail)
}

/// The query's `name` as a whole number in `range`, `default` when absent.
fn number(
    p: &Params,
    name: &str,
    default: i64,
    range: RangeInclusive<i64>,
    what: &str,
) -> Result<i64, Problem> {
    match p.get(name) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| bad(format!("{name} must be {what}"))),
    }
}
