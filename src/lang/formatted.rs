//! Interface texts already formatted. A page shows dozens of texts, and Fluent resolves a
//! message's pattern (and the translator copies its key into a message id) at every look-up; a
//! text without arguments of its own depends only on the language and the page's arguments
//! (`Tr::with`, numbers from the configuration), so it is formatted once and then copied.
//!
//! Only found, non-empty texts are kept: the texts of one page-argument set are at most the
//! messages the files define, and a missing key or argument is looked up (and logged) every time.
//! At most [`MAX_SETS`] sets of (language, page arguments) are kept — the configuration gives a
//! handful; texts of any set beyond them are formatted at every use.

use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use super::Lang;
use super::translate::MAX_PAGE_ARGS;

/// A translator's page arguments, unused slots `("", 0)`.
pub(super) type PageArgs = [(&'static str, i64); MAX_PAGE_ARGS];

type Texts = HashMap<Box<str>, Box<str>>;

const MAX_SETS: usize = 16;

static KEPT: LazyLock<RwLock<HashMap<(Lang, PageArgs), Texts>>> = LazyLock::new(Default::default);

/// The kept text of `key`, or `format`'s, then kept when it is a text.
pub(super) fn text(
    lang: Lang,
    page: &PageArgs,
    key: &str,
    format: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    if let Some(text) = kept(lang, page, key) {
        return Ok(text);
    }
    let text = format()?;
    if !text.is_empty()
        && let Ok(mut sets) = KEPT.write()
        && (sets.len() < MAX_SETS || sets.contains_key(&(lang, *page)))
    {
        sets.entry((lang, *page))
            .or_default()
            .insert(key.into(), text.as_str().into());
    }
    Ok(text)
}

/// The text of `key` kept for `lang` and `page`, if any.
pub(super) fn kept(lang: Lang, page: &PageArgs, key: &str) -> Option<String> {
    let sets = KEPT.read().ok()?;
    sets.get(&(lang, *page))?.get(key).map(|t| t.to_string())
}
