//! Scopes and the claims they release (OIDC Core §5.4, plus the ESIA-named scopes fullname, birthdate,
//! gender mapped to the same data).

use crate::identity::Phone;
use crate::store::accounts::{AccountRow, IdentifierRow};
use crate::store::documents::DocumentRow;
use serde_json::{Map, Value};

/// Every scope vhod understands; a request naming any other is refused with invalid_scope
/// (RFC 6749 §4.1.2.1) rather than silently narrowed, so the consent page never misses one.
pub const SCOPES: [&str; 21] = [
    "openid",
    "profile",
    "email",
    "phone",
    "offline_access",
    "fullname",
    "birthdate",
    "gender",
    "snils",
    "id_doc",
    "birthplace",
    "contacts",
    "mobile",
    "addresses",
    "drivers_licence_doc",
    "medical_doc",
    "vehicles",
    "kid_fullname",
    "kid_birthdate",
    "inn",
    // Signing in for an organisation (issue 14): the `org` claim.
    "organization",
];

pub const CLAIMS: [&str; 26] = [
    "sub",
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "updated_at",
    "birthdate",
    "gender",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "account_level",
    "account_level_method",
    "snils",
    "id_doc",
    "birthplace",
    "contacts",
    "addresses",
    "drivers_licence_doc",
    "medical_doc",
    "vehicles",
    "kids",
    "inn",
    "verified_claims",
    "org",
];

/// The prefix of the scope that asks for (and restricts to) one organisation by OGRN.
pub const ORG_SCOPE_OGRN: &str = "organization:ogrn=";

/// The scopes of a space-separated request, deduplicated, in request order; Err(the first unknown).
pub fn parse_scopes(raw: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.split(' ').filter(|s| !s.is_empty()) {
        if let Some(ogrn) = s.strip_prefix(ORG_SCOPE_OGRN) {
            // `organization:ogrn=…`: an OGRN (13 digits) or OGRNIP (15).
            if !matches!(ogrn.len(), 13 | 15) || !ogrn.bytes().all(|b| b.is_ascii_digit()) {
                return Err(s.chars().take(64).collect());
            }
        } else if !SCOPES.contains(&s) {
            return Err(s.chars().take(64).collect());
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    Ok(out)
}

/// Claims the person's data gives for these scopes (userinfo).
pub fn for_scopes(scopes: &[String], person: &Person<'_>) -> Map<String, Value> {
    let (account, ids) = (person.account, person.ids);
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut c = Map::new();
    c.insert("sub".into(), account.id.clone().into());
    c.insert("account_level".into(), account.level.clone().into());
    c.insert(
        "account_level_method".into(),
        account.level_method.clone().into(),
    );
    if has("profile") || has("fullname") {
        c.insert("family_name".into(), account.surname.clone().into());
        c.insert("given_name".into(), account.given_name.clone().into());
        if let Some(p) = &account.patronymic {
            c.insert("middle_name".into(), p.clone().into());
        }
        let name = [
            Some(&account.given_name),
            account.patronymic.as_ref(),
            Some(&account.surname),
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
        c.insert("name".into(), name.into());
    }
    if has("profile") {
        c.insert("updated_at".into(), account.updated_at.into());
    }
    let verified = |kind: &str| {
        ids.iter()
            .find(|i| i.kind == kind && i.verified_at.is_some())
    };
    if (has("email") || has("contacts"))
        && let Some(e) = verified("email")
    {
        c.insert("email".into(), e.value.clone().into());
        c.insert("email_verified".into(), true.into());
    }
    if (has("phone") || has("mobile") || has("contacts"))
        && let Some(p) = verified("phone")
    {
        let e164 = p
            .value
            .parse::<Phone>()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|_| p.value.clone());
        c.insert("phone_number".into(), e164.into());
        c.insert("phone_number_verified".into(), true.into());
    }
    super::claims_identity::add_for_scopes(scopes, person, &mut c);
    // Nothing leaves that the consent table does not list for these scopes (the page is built
    // from the same table).
    let allowed = super::consent_items::claims_of_scopes(scopes);
    c.retain(|k, _| allowed.contains(&k.as_str()));
    c
}

/// Claim names asked for in the `claims` request for `target` ("userinfo" or "id_token").
pub fn requested_names(claims_request: Option<&Value>, target: &str) -> Vec<String> {
    claims_request
        .and_then(|c| c.get(target))
        .and_then(Value::as_object)
        .map(|o| {
            o.keys()
                .filter(|k| CLAIMS.contains(&k.as_str()))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Claims the `claims` request for `target` asks for with `{"unverified": true}` (a vhod extension
/// used with ESIA document claims: values still under registry check, marked NOT_VERIFIED).
pub fn requested_unverified(claims_request: Option<&Value>, target: &str) -> Vec<String> {
    claims_request
        .and_then(|c| c.get(target))
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter(|(k, v)| CLAIMS.contains(&k.as_str()) && v["unverified"] == true)
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Claims for the scopes plus individually requested ones (OIDC Core §5.5), when the person has them.
pub fn select(scopes: &[String], requested: &[String], person: &Person<'_>) -> Map<String, Value> {
    let mut c = for_scopes(scopes, person);
    if !requested.is_empty() {
        let every: Vec<String> = SCOPES.iter().map(|s| s.to_string()).collect();
        let mut all = for_scopes(&every, person);
        if let Some(v) = super::claims_identity::verified_claims(person) {
            all.insert("verified_claims".into(), v);
        }
        for name in requested {
            if let Some(v) = all.get(name) {
                c.insert(name.clone(), v.clone());
            }
        }
    }
    c
}

/// What claims are made from: the account, its login identifiers and its documents (verified ones
/// are released; pending ones never are).
pub struct Person<'a> {
    pub account: &'a AccountRow,
    pub ids: &'a [IdentifierRow],
    pub docs: &'a [DocumentRow],
    /// (kind `PRG` | `PLV`, text): the person's own, released with the `addresses` scope.
    pub addresses: &'a [(String, String)],
    /// Documents still under check, released (marked NOT_VERIFIED) only for the claims in
    /// `unverified`: those the portal asked for with `"unverified": true` in its `claims` request.
    pub pending: &'a [DocumentRow],
    pub unverified: &'a [String],
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> AccountRow {
        AccountRow {
            id: "acc-1".into(),
            surname: "Иванов".into(),
            given_name: "Иван".into(),
            patronymic: Some("Иванович".into()),
            level: "simplified".into(),
            level_method: "registration".into(),
            terms_version: "t".into(),
            privacy_version: "p".into(),
            registered_via: "self".into(),
            created_at: 1,
            updated_at: 2,
        }
    }

    fn person<'a>(account: &'a AccountRow, ids: &'a [IdentifierRow]) -> Person<'a> {
        Person {
            account,
            ids,
            docs: &[],
            addresses: &[],
            pending: &[],
            unverified: &[],
        }
    }

    #[test]
    fn unknown_scopes_are_refused_and_duplicates_removed() {
        assert_eq!(parse_scopes("openid foo profile"), Err("foo".to_string()));
        assert_eq!(
            parse_scopes("openid profile  openid"),
            Ok(vec!["openid".to_string(), "profile".to_string()])
        );
    }

    #[test]
    fn openid_alone_releases_only_sub() {
        let a = account();
        let c = for_scopes(&["openid".into()], &person(&a, &[]));
        assert_eq!(c.len(), 3, "sub and the account level with its method");
        assert_eq!(c["sub"], "acc-1");
    }

    #[test]
    fn fullname_maps_to_the_profile_name_claims() {
        let a = account();
        let c = for_scopes(&["openid".into(), "fullname".into()], &person(&a, &[]));
        assert_eq!(c["family_name"], "Иванов");
        assert_eq!(c["middle_name"], "Иванович");
        assert_eq!(c["name"], "Иван Иванович Иванов");
        assert!(!c.contains_key("updated_at"));
    }

    #[test]
    fn contacts_are_released_only_when_verified() {
        let ids = vec![
            IdentifierRow {
                kind: "email".into(),
                value: "a@b.ru".into(),
                account_id: "acc-1".into(),
                verified_at: Some(5),
            },
            IdentifierRow {
                kind: "phone".into(),
                value: "+79123456789".into(),
                account_id: "acc-1".into(),
                verified_at: None,
            },
        ];
        let a = account();
        let c = for_scopes(
            &["openid".into(), "email".into(), "phone".into()],
            &person(&a, &ids),
        );
        assert_eq!(c["email"], "a@b.ru");
        assert_eq!(c["email_verified"], true);
        assert!(!c.contains_key("phone_number"));
    }
}
