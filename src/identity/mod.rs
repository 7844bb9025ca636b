//! The person: contacts, names, password policy, registration.

pub mod bank;
pub mod contact;
pub mod contacts;
pub mod deletion;
pub mod letters;
pub mod levels;
pub mod names;
pub mod password_policy;
pub mod records;
pub mod recovery;
pub mod registration;
pub mod service_centre;
pub mod validation;
pub mod verifier;

pub use contact::{Contact, Email, Phone};
