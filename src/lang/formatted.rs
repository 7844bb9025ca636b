//! Interface texts already formatted. A page shows dozens of texts, and Fluent resolves a
//! message's pattern (and the translator copies its key into a message id) at every look-up; a
//! text without arguments of its own depends only on the language and the page's arguments
//! (`Tr::with`, numbers from the configuration), so it is formatted once and then copied.
//!
//! Only found, non-empty texts are kept: the texts of one page-argument set are at most the
//! messages the files define, and a missing key or argument is looked up (and logged) every time.
//! At most [`MAX_SETS`] sets of (language, page arguments) are kept — the configuration gives a
//! handful; texts of any set beyond them are formatted at every use. The sets are few, so they
//! are found by comparison; a set's texts are found by their key (the code's own constant strings,
//! never a visitor's input) with a fast hash rather than SipHash, which took most of a look-up.

use std::sync::RwLock;

use rustc_hash::FxHashMap;

use super::Lang;
use super::translate::MAX_PAGE_ARGS;

/// A translator's page arguments, unused slots `("", 0)`.
pub(super) type PageArgs = [(&'static str, i64); MAX_PAGE_ARGS];

type Texts = FxHashMap<Box<str>, Box<str>>;

const MAX_SETS: usize = 16;

static KEPT: RwLock<Vec<((Lang, PageArgs), Texts)>> = RwLock::new(Vec::new());

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
    {
        let set = match sets.iter().position(|(of, _)| *of == (lang, *page)) {
            Some(at) => Some(at),
            None if sets.len() < MAX_SETS => {
                sets.push(((lang, *page), Texts::default()));
                Some(sets.len() - 1)
            }
            None => None,
        };
        if let Some(at) = set {
            sets[at].1.insert(key.into(), text.as_str().into());
        }
    }
    Ok(text)
}

/// The text of `key` kept for `lang` and `page`, if any.
pub(super) fn kept(lang: Lang, page: &PageArgs, key: &str) -> Option<String> {
    let sets = KEPT.read().ok()?;
    let (_, texts) = sets.iter().find(|(of, _)| *of == (lang, *page))?;
    texts.get(key).map(|t| t.to_string())
}
