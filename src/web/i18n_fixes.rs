//! Texts of the fix-first security work, one table per workstream so parallel branches do not
//! collide (web/i18n_qes falls back here; the Fluent move of the architecture issue replaces all).

pub(super) fn text(key: &str) -> (&'static str, &'static str) {
    super::i18n_fix_tokens::text(key)
        .or_else(|| super::i18n_fix_fetch::text(key))
        .or_else(|| super::i18n_fix_codes::text(key))
        .or_else(|| super::i18n_fix_login::text(key))
        .unwrap_or(("", ""))
}
