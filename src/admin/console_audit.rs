//! The console's audit log: its filters and paging, and each line's target named (a portal by its
//! name, a person by surname and initial), not only by an id.

use crate::oidc::OidcState;
use crate::store::StoreError;
use crate::store::audit::AuditRow;
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
/// dates YYYY-MM-DD in Moscow time) and its page.
#[derive(Default)]
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub from: String,
    pub to: String,
    pub page: usize,
}

/// Lines per page of the audit log.
pub(super) const AUDIT_PAGE: usize = 50;

impl AuditFilter {
    pub(super) fn read(p: &Params) -> AuditFilter {
        let text = |k: &str| p.get(k).unwrap_or("").trim().chars().take(100).collect();
        AuditFilter {
            actor: text("actor"),
            action: text("action"),
            target: text("target"),
            from: text("from"),
            to: text("to"),
            page: p
                .get("page")
                .and_then(|n| n.parse().ok())
                .unwrap_or(1usize)
                .clamp(1, 100_000),
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

    pub(super) fn keeps(&self, r: &AuditRow) -> bool {
        let has = |field: &str, part: &str| part.is_empty() || field.contains(part);
        has(&r.actor, &self.actor)
            && has(&r.action, &self.action)
            && has(&r.target, &self.target)
            && Self::day_start(&self.from).is_none_or(|t| r.at >= t)
            && Self::day_start(&self.to).is_none_or(|t| r.at < t + 86_400)
    }

    /// The query of the same filter on another page.
    pub(super) fn page_href(&self, page: usize) -> String {
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
        q.append_pair("page", &page.to_string());
        format!("/admin/console?{}#audit", q.finish())
    }
}

/// The page's audit rows as lines, each target named when it is a portal or an account.
pub(super) async fn lines(
    app: &OidcState,
    t: &Tr,
    rows: Vec<AuditRow>,
) -> Result<Vec<AuditLine>, StoreError> {
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
