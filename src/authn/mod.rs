//! Proving who you are: password login and the SSO session it creates.

pub mod alerts;
pub mod challenge;
pub mod device;
pub mod lockout;
pub mod logout;
pub mod password;
pub mod second_factor;
pub mod session;
pub mod sms_otp;
pub mod totp;

/// Assurance of one authentication (ARCHITECTURE §3).
pub const ACR_LOW: &str = "urn:vhod:acr:low";
pub const ACR_SUBSTANTIAL: &str = "urn:vhod:acr:substantial";
pub const ACR_HIGH: &str = "urn:vhod:acr:high";
/// Ordered weakest first.
pub const ACR_VALUES: [&str; 3] = [ACR_LOW, ACR_SUBSTANTIAL, ACR_HIGH];

pub fn acr_rank(acr: &str) -> Option<usize> {
    ACR_VALUES.iter().position(|a| *a == acr)
}
