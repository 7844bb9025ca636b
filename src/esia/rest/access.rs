//! Which ESIA scope opens which part of `/rs/prns/{oid}` (the scope names and their meaning as
//! ESIA's method guide and the public client libraries use them; e.g. a portal that asked for
//! `contacts`, `email` or `mobile` embeds `contacts.elements`, one with `contacts` `addresses.elements`,
//! one with any `*_doc` scope `documents.elements`).
//!
//! - person root: `fullname` → firstName, lastName, middleName; `birthdate` → birthDate;
//!   `birthplace` → birthPlace; `gender` → gender; `snils` → snils; `inn` → inn;
//!   `id_doc` (or `citizenship`) → citizenship. stateFacts, trusted, verifying, status, updatedOn
//!   and eTag come with any scope for the person (`openid` included).
//! - `/ctts`: `contacts` → every contact (MBT, EML, PHN, CEM, CPH); `email` → EML; `mobile` → MBT.
//! - `/addrs`: `addresses` or `contacts` → PRG and PLV.
//! - `/docs`: `id_doc` → RF_PASSPORT, FID_DOC; `drivers_licence_doc` → RF_DRIVING_LICENSE;
//!   `medical_doc` → MDCL_PLCY; `foreign_passport_doc` → FRGN_PASS; `birth_cert_doc` → RF_BRTH_CERT.
//! - `/vhls`: `vehicles`.
//! - `/kids`: any `kid_*` scope; `kid_fullname` → the child's names, `kid_birthdate` → birthDate,
//!   `kid_gender` → gender, `kid_snils` → snils, `kid_inn` → inn; `/kids/{id}/docs`:
//!   `kid_birth_cert_doc` → RF_BRTH_CERT, `kid_medical_doc` → MDCL_PLCY.

use std::collections::BTreeSet;

/// ESIA document types by vhod document kind, with the scope that shows each.
pub const DOCUMENT_TYPES: [(&str, &str, &str); 6] = [
    ("passport_rf", "RF_PASSPORT", "id_doc"),
    ("foreign_id", "FID_DOC", "id_doc"),
    (
        "drivers_licence",
        "RF_DRIVING_LICENSE",
        "drivers_licence_doc",
    ),
    ("medical_policy", "MDCL_PLCY", "medical_doc"),
    ("foreign_passport", "FRGN_PASS", "foreign_passport_doc"),
    ("birth_certificate", "RF_BRTH_CERT", "birth_cert_doc"),
];

/// ESIA contact types by vhod identifier kind (`PHN`, `CEM`, `CPH` have no vhod kind yet).
pub const CONTACT_TYPES: [(&str, &str); 2] = [("phone", "MBT"), ("email", "EML")];

/// The scopes a token grants for one person.
#[derive(Debug, Clone)]
pub struct Access {
    scopes: BTreeSet<String>,
}

impl Access {
    pub fn new(scopes: BTreeSet<String>) -> Access {
        Access { scopes }
    }

    pub fn has(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    fn any(&self, scopes: &[&str]) -> bool {
        scopes.iter().any(|s| self.has(s))
    }

    /// The token grants anything at all for this person.
    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty()
    }

    pub fn contact_type(&self, esia_type: &str) -> bool {
        self.has("contacts")
            || (esia_type == "EML" && self.has("email"))
            || (esia_type == "MBT" && self.has("mobile"))
    }

    pub fn contacts(&self) -> bool {
        self.any(&["contacts", "email", "mobile"])
    }

    pub fn addresses(&self) -> bool {
        self.any(&["addresses", "contacts"])
    }

    /// The ESIA type of a document of vhod kind `kind`, when the token shows it.
    pub fn document_type(&self, kind: &str) -> Option<&'static str> {
        DOCUMENT_TYPES
            .iter()
            .find(|(k, _, scope)| *k == kind && self.has(scope))
            .map(|(_, t, _)| *t)
    }

    pub fn documents(&self) -> bool {
        DOCUMENT_TYPES.iter().any(|(_, _, scope)| self.has(scope))
    }

    pub fn vehicles(&self) -> bool {
        self.has("vehicles")
    }

    pub fn kids(&self) -> bool {
        self.scopes.iter().any(|s| s.starts_with("kid_"))
    }

    pub fn kid_documents(&self) -> bool {
        self.any(&["kid_birth_cert_doc", "kid_medical_doc"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(scopes: &[&str]) -> Access {
        Access::new(scopes.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn email_and_mobile_open_their_own_contact_type_and_contacts_every_type() {
        let email = access(&["email"]);
        assert!(email.contacts() && email.contact_type("EML") && !email.contact_type("MBT"));
        assert!(!email.addresses(), "email alone shows no address");
        let all = access(&["contacts"]);
        assert!(all.contact_type("MBT") && all.contact_type("PHN") && all.addresses());
    }

    #[test]
    fn each_document_scope_shows_its_own_types_only() {
        let id = access(&["id_doc"]);
        assert_eq!(id.document_type("passport_rf"), Some("RF_PASSPORT"));
        assert_eq!(id.document_type("foreign_id"), Some("FID_DOC"));
        assert_eq!(id.document_type("drivers_licence"), None);
        assert_eq!(
            access(&["medical_doc"]).document_type("medical_policy"),
            Some("MDCL_PLCY")
        );
        assert!(!access(&["fullname", "openid"]).documents());
    }

    #[test]
    fn any_kid_scope_opens_the_children_and_only_document_scopes_their_documents() {
        assert!(access(&["kid_birthdate"]).kids());
        assert!(!access(&["kid_birthdate"]).kid_documents());
        assert!(access(&["kid_birth_cert_doc"]).kid_documents());
        assert!(!access(&["birthdate"]).kids());
    }
}
