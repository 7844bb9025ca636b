//! Interface texts of the "tokens" workstream of the fix-first issue (see web/i18n_fixes).

pub(super) fn text(key: &str) -> Option<(&'static str, &'static str)> {
    #[allow(clippy::match_single_binding)]
    match key {
        _ => None,
    }
}
