//! The console's audit log: its filters and paging, and each line's target named (a portal by its
//! name, a person by surname and initial), not only by an id.

use crate::oidc::OidcState;
use crate::store::StoreError;
use crate::store::audit::AuditRow;
use crate::store::audit_reads::{AuditAt, AuditPage};
use crate::web::i18n::Tr;
use crate::web::params::Params;

/// One line of the audit log as the console shows it.
pub struct AuditLine {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// What the target is, in words: a portal's name, a person's surname and initial.
    pub target_name: String,
}

/// The audit log's filters (`actor`, `action`, `target` as parts of the text, `from` / `to` as
/// dates YYYY-MM-DD in Moscow time) and where its page starts (`before` / `after` an entry's
/// position; the newest entries without either).
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub from: String,
    pub to: String,
    pub at: AuditAt,
}

/// A page of the log as the console shows it, and the links to the pages beside it (empty when
/// there is none).
pub(super) struct Shown {
    pub lines: Vec<AuditLine>,
    pub newer: String,
    pub older: String,
}

/// Lines per page of the audit log.
pub(super) const AUDIT_PAGE: usize = 50;

impl AuditFilter {
    pub(super) fn read(p: &Params) -> AuditFilter {
        let text = |k: &str| p.get(k).unwrap_or("").trim().chars().take(100).collect();
        let position = |k: &str| p.get(k)?.parse::<i64>().ok().filter(|n| *n >= 0);
        AuditFilter {
            actor: text("actor"),
            action: text("action"),
            target: text("target"),
            from: text("from"),
            to: text("to"),
            at: match (position("before"), position("after")) {
                (Some(seq), _) => AuditAt::Before(seq),
                (None, Some(seq)) => AuditAt::After(seq),
                (None, None) => AuditAt::Newest,
            },
        }
    }

    /// Unix seconds of a Moscow date's start ("2026-12-02"), None when empty or not a date.
    fn day_start(date: &str) -> Option<i64> {
        let mut parts = date.split('-').map(|x| x.parse::<i64>().ok());
        let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
            return None;
        }
        // Days from the civil date (H. Hinnant), then Moscow midnight in UTC.
        let y2 = if m <= 2 { y - 1 } else { y };
        let era = y2.div_euclid(400);
        let yoe = y2 - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some((era * 146_097 + doe - 719_468) * 86_400 - 3 * 3600)
    }

    /// What the store is asked for: `limit` entries matching the filter from its position.
    fn query(&self, limit: usize) -> AuditPage<'_> {
        AuditPage {
            actor: &self.actor,
            action: &self.action,
            target: &self.target,
            from: Self::day_start(&self.from),
            until: Self::day_start(&self.to).map(|t| t + 86_400),
            at: self.at,
            limit: i64::try_from(limit).unwrap_or(i64::MAX),
        }
    }

    /// The query of the same filter at another position.
    fn href(&self, at: AuditAt) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("actor", &self.actor),
            ("action", &self.action),
            ("target", &self.target),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        match at {
            AuditAt::Newest => {}
            AuditAt::Before(seq) => {
                q.append_pair("before", &seq.to_string());
            }
            AuditAt::After(seq) => {
                q.append_pair("after", &seq.to_string());
            }
        }
        format!("/admin/console?{}#audit", q.finish())
    }
}

/// The page of the log the filter asks for — one bounded read of at most a page and one entry
/// more, which says whether there is a page beyond it — and the links to the pages beside it.
pub(super) async fn page(
    app: &OidcState,
    t: &Tr,
    filter: &AuditFilter,
) -> Result<Shown, StoreError> {
    let mut rows = app.store.audit_page(&filter.query(AUDIT_PAGE + 1)).await?;
    let beyond = rows.len() > AUDIT_PAGE;
    // Newest first: the entry more is the newest one when reading newer entries, else the oldest.
    if beyond && matches!(filter.at, AuditAt::After(_)) {
        rows.remove(0);
    }
    rows.truncate(AUDIT_PAGE);
    let (newer, older) = match filter.at {
        AuditAt::Newest => (false, beyond),
        AuditAt::Before(_) => (true, beyond),
        AuditAt::After(_) => (beyond, true),
    };
    // The edges of the page; an empty page (a position past the last match) links from where it
    // was asked.
    let (first, last) = match (rows.first(), rows.last(), filter.at) {
        (Some(f), Some(l), _) => (f.seq, l.seq),
        (_, _, AuditAt::Before(seq)) => (seq.saturating_sub(1), seq),
        (_, _, AuditAt::After(seq)) => (seq, seq.saturating_add(1)),
        (_, _, AuditAt::Newest) => (0, 0),
    };
    Ok(Shown {
        newer: if newer {
            filter.href(AuditAt::After(first))
        } else {
            String::new()
        },
        older: if older {
            filter.href(AuditAt::Before(last))
        } else {
            String::new()
        },
        lines: lines(app, t, rows).await?,
    })
}

/// The page's audit rows as lines, each target named when it is a portal or an account.
async fn lines(app: &OidcState, t: &Tr, rows: Vec<AuditRow>) -> Result<Vec<AuditLine>, StoreError> {
    let portals = crate::clients::list(&app.store).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let target_name = match portals.iter().find(|c| c.id.as_str() == r.target) {
            Some(c) => c.name.clone(),
            None => match app.store.account(&r.target).await? {
                Some(a) => format!(
                    "{} {}.",
                    a.surname,
                    a.given_name.chars().next().unwrap_or(' ')
                ),
                None => String::new(),
            },
        };
        out.push(AuditLine {
            seq: r.seq,
            at: t.datetime(r.at),
            actor: r.actor,
            action: r.action,
            target: r.target,
            target_name,
        });
    }
    Ok(out)
}
