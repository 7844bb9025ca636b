//! What a remembered permission lets a portal read, in words: the stored scopes of a consent
//! (OpenID and ESIA names alike, an organisation scope by its name) turned into the same
//! interface texts the consent page showed (`identity::data_items`, where the few differences
//! between the pages are written). A scope without a text is shown as it is.

use super::i18n::Tr;
use crate::identity::data_items::{self, Page};

/// The texts for a consent's stored scopes (space-separated), each once, in the order given.
pub fn items(t: &Tr, scopes: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for scope in scopes.split(' ').filter(|s| !s.is_empty()) {
        // `org_*?org_oid=N` (ESIA) and `organization:ogrn=…` (a stored OpenID organisation
        // scope) name their scope before the parameter.
        let known = data_items::scope(scope)
            .or_else(|| scope.split_once('?').and_then(|(n, _)| data_items::scope(n)))
            .or_else(|| scope.split_once(':').and_then(|(n, _)| data_items::scope(n)));
        let texts = match known {
            Some(known) => known
                .items_on(Page::Permissions)
                .iter()
                .map(|k| t.s(k))
                .collect(),
            None => vec![scope.to_string()],
        };
        for text in texts {
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    #[test]
    fn stored_scopes_become_the_consent_pages_words_once_each() {
        let t = Tr::new(Lang::Ru);
        let words = items(
            &t,
            "openid fullname profile org_ogrn?org_oid=7 offline_access",
        );
        assert_eq!(words[0], t.s("item.fullname"));
        assert!(words.contains(&t.s("item.birthdate")));
        assert!(words.contains(&t.s("esia.item.org_ogrn")));
        assert!(words.contains(&t.s("item.offline")));
        assert_eq!(
            words.iter().filter(|w| **w == t.s("item.fullname")).count(),
            1
        );
        assert!(
            !words
                .iter()
                .any(|w| w.contains("openid") || w.contains('_'))
        );
        assert!(words.contains(&t.s("item.updated_at")), "profile names what the consent page named");
        assert_eq!(
            items(&t, "organization:ogrn=1027700132195"),
            vec![t.s("perm.scope_organization")]
        );
        assert_eq!(items(&t, "custom.scope"), vec!["custom.scope".to_string()]);
    }
}
