//! The person: contacts, names, password policy, registration.

pub mod contact;
pub mod levels;
pub mod names;
pub mod password_policy;
pub mod registration;
pub mod validation;

pub use contact::{Contact, Email, Phone};
