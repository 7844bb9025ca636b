//! What a remembered permission lets a portal read, in words: the stored scopes of a consent
//! (OpenID and ESIA names alike, an organisation scope by its name) turned into the same
//! interface texts the consent page showed. A scope without a text is shown as it is.

use super::i18n::Tr;

const FULLNAME: &[&str] = &["item.fullname"];

/// Scope → the consent page's items (Fluent keys). `openid` names no data of its own here: the
/// identifier and the account level come with every permission.
const ITEMS: &[(&str, &[&str])] = &[
    ("openid", &[]),
    (
        "profile",
        &["item.fullname", "item.birthdate", "item.gender"],
    ),
    ("fullname", FULLNAME),
    ("birthdate", &["item.birthdate"]),
    ("gender", &["item.gender"]),
    ("email", &["item.email"]),
    ("phone", &["item.phone"]),
    ("mobile", &["item.phone"]),
    ("contacts", &["item.contacts"]),
    ("address", &["item.addresses"]),
    ("addresses", &["item.addresses"]),
    ("snils", &["item.snils"]),
    ("inn", &["item.inn"]),
    ("id_doc", &["item.id_doc"]),
    ("birthplace", &["item.birthplace"]),
    ("medical_doc", &["item.medical"]),
    ("drivers_licence_doc", &["item.drivers_licence"]),
    ("foreign_passport_doc", &["esia.item.foreign_passport"]),
    ("military_doc", &["esia.item.military_doc"]),
    ("residence_doc", &["esia.item.residence_doc"]),
    ("vehicles", &["item.vehicles"]),
    ("usr_org", &["esia.item.usr_org"]),
    ("kid_fullname", &["item.kid_fullname"]),
    ("kid_birthdate", &["item.kid_birthdate"]),
    ("kid_gender", &["esia.item.kid_gender"]),
    ("kid_snils", &["esia.item.kid_snils"]),
    ("kid_inn", &["esia.item.kid_inn"]),
    ("kid_birth_cert_doc", &["esia.item.kid_birth_cert_doc"]),
    ("kid_medical_doc", &["esia.item.kid_medical_doc"]),
    ("organization", &["perm.scope_organization"]),
    ("org_shortname", &["esia.item.org_shortname"]),
    ("org_fullname", &["esia.item.org_fullname"]),
    ("org_type", &["esia.item.org_type"]),
    ("org_ogrn", &["esia.item.org_ogrn"]),
    ("org_inn", &["esia.item.org_inn"]),
    ("org_kpp", &["esia.item.org_kpp"]),
    ("org_ctts", &["esia.item.org_ctts"]),
    ("org_addrs", &["esia.item.org_addrs"]),
    ("org_emps", &["esia.item.org_emps"]),
    ("offline_access", &["item.offline"]),
];

/// The texts for a consent's stored scopes (space-separated), each once, in the order given.
pub fn items(t: &Tr, scopes: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for scope in scopes.split(' ').filter(|s| !s.is_empty()) {
        let name = scope.split('?').next().unwrap_or(scope);
        let texts = match ITEMS.iter().find(|(n, _)| *n == name) {
            Some((_, keys)) => keys.iter().map(|k| t.s(k)).collect(),
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
        assert_eq!(items(&t, "custom.scope"), vec!["custom.scope".to_string()]);
    }
}
