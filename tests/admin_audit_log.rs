//! The audit log is read a page or a chunk at a time, never whole: the console's filters and its
//! older/newer links, the admin API's `after`/`limit` pages with a `Link` to the next, and the
//! chain checked a chunk at a time — each on a log longer than one page or chunk.

mod common;

use common::*;
use serde_json::Value;
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;
use vhod::store::audit::AuditEntry;

/// Appends entries `from..=to`, each with action `action` and target `row-NNNN` (its number).
async fn append(t: &TestServer, action: &str, from: usize, to: usize) {
    for i in from..=to {
        t.app
            .store
            .append_audit(AuditEntry {
                actor: "tester",
                action,
                target: &format!("row-{i:04}"),
                request_id: "req",
                details: serde_json::json!({ "i": i }),
            })
            .await
            .unwrap();
    }
}

/// The console's page at `url` (200).
async fn page(browser: &Browser, url: &str) -> String {
    match browser.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("{url}: {other:?}"),
    }
}

/// The numbers of the `row-NNNN` targets the page's audit table shows, in its order.
fn rows(html: &str) -> Vec<usize> {
    let table = html.split("id=\"audit\"").nth(1).expect("the audit table");
    let table = table.split("</table>").next().unwrap();
    table
        .split("<td>row-")
        .skip(1)
        .map(|rest| rest[..4].parse().unwrap())
        .collect()
}

/// The link whose text is `text`, unescaped.
fn link(html: &str, text: &str) -> Option<String> {
    let end = html.find(&format!("\">{text}</a>"))?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

const NEWER: &str = "← Более новые";
const OLDER: &str = "Более старые →";

/// Today's date in Moscow (the console's filter dates), `days` later.
fn moscow_date(t: &TestServer, days: i64) -> String {
    let (y, m, d, ..) = vhod::clock::utc_parts(t.app.clock.now() + 3 * 3600 + days * 86_400);
    format!("{y:04}-{m:02}-{d:02}")
}

#[tokio::test]
async fn the_console_pages_and_filters_the_audit_log_in_the_database() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (auditor, _) =
            issue_bootstrap_token(&t.app, &[Role::Auditor], "audit-desk", 7 * 86_400)
                .await
                .unwrap();
        append(&t, "test.step", 1, 120).await;
        let browser = Browser::new(&t.base);
        let login = page(&browser, "/admin/console").await;
        let res = browser
            .submit(&login, "/admin/console/login", &[("token", &auditor)])
            .await;
        assert_eq!(res.status(), 303, "{}", backend.name());

        // Newest first, 50 a page; the first page has no newer one.
        let first = page(&browser, "/admin/console?action=test.step").await;
        assert_eq!(rows(&first), (71..=120).rev().collect::<Vec<_>>());
        assert_eq!(link(&first, NEWER), None);
        let older = link(&first, OLDER).expect("an older page");
        let second = page(&browser, &older).await;
        assert_eq!(rows(&second), (21..=70).rev().collect::<Vec<_>>());
        let third = page(&browser, &link(&second, OLDER).unwrap()).await;
        assert_eq!(rows(&third), (1..=20).rev().collect::<Vec<_>>());
        assert_eq!(
            link(&third, OLDER),
            None,
            "the oldest page has no older one"
        );
        let back = page(&browser, &link(&third, NEWER).unwrap()).await;
        assert_eq!(rows(&back), (21..=70).rev().collect::<Vec<_>>());
        let top = page(&browser, &link(&back, NEWER).unwrap()).await;
        assert_eq!(rows(&top), (71..=120).rev().collect::<Vec<_>>());
        assert_eq!(link(&top, NEWER), None, "back at the newest page");
        assert!(
            link(&back, OLDER).unwrap().contains("action=test.step"),
            "the links keep the filter"
        );

        // A part of the target, and of the action beside it: one page, no links.
        let part = page(&browser, "/admin/console?target=row-001").await;
        assert_eq!(
            rows(&part),
            (10..=19).rev().collect::<Vec<_>>(),
            "row-001 is in row-0010 to row-0019 only"
        );
        let part = page(&browser, "/admin/console?target=row-01&action=step").await;
        assert_eq!(rows(&part), (100..=120).rev().collect::<Vec<_>>());
        assert_eq!((link(&part, NEWER), link(&part, OLDER)), (None, None));
        assert!(
            rows(&page(&browser, "/admin/console?target=row-01&action=other").await).is_empty()
        );
        // Parts are matched as written: case counts, and LIKE's wildcards are plain characters.
        assert!(rows(&page(&browser, "/admin/console?action=TEST").await).is_empty());
        assert!(rows(&page(&browser, "/admin/console?target=row-00_1").await).is_empty());
        assert!(rows(&page(&browser, "/admin/console?target=row%25").await).is_empty());

        // Dates: five entries two days later; `from` that day shows only them, `to` today none
        // of them.
        t.app.clock.advance(2 * 86_400);
        append(&t, "later.step", 201, 205).await;
        let later = page(
            &browser,
            &format!("/admin/console?target=row-&from={}", moscow_date(&t, 0)),
        )
        .await;
        assert_eq!(rows(&later), vec![205, 204, 203, 202, 201]);
        let earlier = page(
            &browser,
            &format!("/admin/console?target=row-&to={}", moscow_date(&t, -2)),
        )
        .await;
        assert_eq!(rows(&earlier), (71..=120).rev().collect::<Vec<_>>());
        assert!(link(&earlier, OLDER).is_some());

        // A position that is not a number is the newest page, not an error; one past every
        // entry is an empty page with a link back.
        let odd = page(&browser, "/admin/console?action=test.step&before=x").await;
        assert_eq!(rows(&odd), (71..=120).rev().collect::<Vec<_>>());
        let past = page(
            &browser,
            &format!("/admin/console?action=test.step&after={}", i64::MAX),
        )
        .await;
        assert!(rows(&past).is_empty());
        assert!(link(&past, OLDER).is_some());
        assert_eq!(link(&past, NEWER), None);
    }
}

async fn get(t: &TestServer, token: &str, query: &str) -> (u16, Option<String>, Value) {
    let res = reqwest::Client::new()
        .get(format!("{}/admin/api/audit{query}", t.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let next = res
        .headers()
        .get("link")
        .map(|v| v.to_str().unwrap().to_string());
    (status, next, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_admin_api_gives_the_audit_log_in_pages_linked_to_the_next() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (auditor, _) = issue_bootstrap_token(&t.app, &[Role::Auditor], "audit-api", 7 * 86_400)
            .await
            .unwrap();
        append(&t, "test.step", 1, 25).await;
        let total = t.app.store.audit_since(0).await.unwrap().len();
        assert!(total >= 25);

        // Pages of 10 from the start, oldest first, each naming the next until the last.
        let mut query = "?limit=10".to_string();
        let mut seqs = Vec::new();
        let mut pages = 0;
        loop {
            let (status, next, body) = get(&t, &auditor, &query).await;
            assert_eq!(status, 200, "{query}: {body}");
            let page: Vec<i64> = body
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["seq"].as_i64().unwrap())
                .collect();
            assert!(page.len() <= 10);
            seqs.extend(page);
            pages += 1;
            let Some(next) = next else { break };
            let target = next
                .strip_prefix("</admin/api/audit")
                .and_then(|rest| rest.strip_suffix(">; rel=\"next\""))
                .unwrap_or_else(|| panic!("a Link to the next page: {next}"));
            query = target.to_string();
            assert!(pages < 100, "the pages end");
        }
        let expected: Vec<i64> = (1..=total as i64).collect();
        assert_eq!(seqs, expected, "every entry once, in order");
        assert_eq!(pages, total.div_ceil(10) + usize::from(total % 10 == 0));

        // `since` (unix seconds) keeps to entries written then or later.
        t.app.clock.advance(3600);
        let since = t.app.clock.now();
        append(&t, "later.step", 26, 28).await;
        let (status, next, body) = get(&t, &auditor, &format!("?since={since}")).await;
        assert_eq!((status, next), (200, None));
        let actions: Vec<&str> = body
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, vec!["later.step"; 3]);
        // The default page is 1000 entries: the whole of this log, no Link.
        let (_, next, body) = get(&t, &auditor, "").await;
        assert_eq!(next, None);
        assert_eq!(body.as_array().unwrap().len(), total + 3);

        for bad in [
            "?limit=0",
            "?limit=10001",
            "?limit=ten",
            "?after=-1",
            "?after=x",
            "?since=yesterday",
        ] {
            let res = reqwest::Client::new()
                .get(format!("{}/admin/api/audit{bad}", t.base))
                .bearer_auth(&auditor)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 400, "{bad}");
            assert_eq!(
                res.headers()["content-type"],
                "application/problem+json",
                "{bad}"
            );
        }
    }
}

#[tokio::test]
async fn the_chain_is_checked_a_chunk_at_a_time_across_chunk_edges() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        append(&t, "test.step", 1, 30).await;
        let store = &t.app.store;
        let total = store.audit_since(0).await.unwrap().len() as i64;
        let check = store.audit_chain(7).await.unwrap();
        assert_eq!((check.entries, check.broken), (total, None));

        // Entry 8 opens the second chunk of 7: its link to entry 7 is checked across the edge.
        let mut db = t.raw_db().await;
        let seventh: (String,) = sqlx::query_as("SELECT hash FROM audit_log WHERE seq = 7")
            .fetch_one(&mut db)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET prev_hash = $1 WHERE seq = 8")
            .bind(format!(
                "{}{}",
                &seventh.0[..63],
                if seventh.0.ends_with('0') { '1' } else { '0' }
            ))
            .execute(&mut db)
            .await
            .unwrap();
        let check = store.audit_chain(7).await.unwrap();
        assert_eq!(
            check.broken,
            Some((8, "does not follow the previous entry"))
        );
        sqlx::query("UPDATE audit_log SET prev_hash = $1 WHERE seq = 8")
            .bind(&seventh.0)
            .execute(&mut db)
            .await
            .unwrap();
        assert_eq!(store.audit_chain(7).await.unwrap().broken, None);

        // A missing entry at the start of a chunk (15 = 2 × 7 + 1), and a changed one in the middle.
        sqlx::query("DELETE FROM audit_log WHERE seq = 15")
            .execute(&mut db)
            .await
            .unwrap();
        assert_eq!(
            store.audit_chain(7).await.unwrap().broken,
            Some((15, "missing entry"))
        );
        assert_eq!(
            store.verify_audit().await.unwrap(),
            Some((15, "missing entry"))
        );
        sqlx::query("UPDATE audit_log SET action = 'x' WHERE seq = 10")
            .execute(&mut db)
            .await
            .unwrap();
        assert_eq!(
            store.audit_chain(7).await.unwrap().broken,
            Some((10, "content does not match its hash"))
        );
    }
}
