//! The person: contacts, names, password policy, registration.

pub mod bank;
pub mod contacts;
pub mod data_items;
pub mod deletion;
pub mod letters;
pub mod levels;
pub mod names;
pub mod password_policy;
pub mod permissions;
pub mod person_view;
pub mod records;
pub mod recovery;
pub mod registration;
pub mod service_centre;
pub mod verifier;

/// The value types live in `crate::types` (infrastructure uses them too); the old paths stay.
pub use crate::types::{Contact, Email, Phone, contact, validation};
