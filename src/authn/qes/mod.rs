//! Signing in and binding a certificate with a qualified electronic signature. The verification
//! itself (CMS, path, revocation, the SNILS in the certificate) is infrastructure: `crypto::qes`.

pub mod binding;
pub mod login;

pub use crate::crypto::qes::{Qes, QesError, Verified, parse_certificates, sign, snils_of};
