//! Proving who you are: password login and the SSO session it creates.

pub mod alerts;
pub mod challenge;
pub mod code_sender;
pub mod device;
pub mod factor_settings;
pub mod lockout;
pub mod login_tx;
pub mod logout;
pub mod password;
pub mod qes;
pub mod second_factor;
pub mod session;
pub mod sms_otp;
pub mod totp;
pub mod webauthn;

/// Assurance of one authentication (ARCHITECTURE §3).
pub const ACR_LOW: &str = "urn:vhod:acr:low";
pub const ACR_SUBSTANTIAL: &str = "urn:vhod:acr:substantial";
pub const ACR_HIGH: &str = "urn:vhod:acr:high";
/// amr (RFC 8176) of each way to sign in: password alone is low; password plus a second factor
/// (SMS code, app code or recovery code) is substantial.
pub const AMR_PASSWORD: [&str; 1] = ["pwd"];
pub const AMR_PASSWORD_SMS: [&str; 3] = ["pwd", "sms", "mfa"];
pub const AMR_PASSWORD_OTP: [&str; 3] = ["pwd", "otp", "mfa"];
/// Ordered weakest first.
pub const ACR_VALUES: [&str; 3] = [ACR_LOW, ACR_SUBSTANTIAL, ACR_HIGH];

pub fn acr_rank(acr: &str) -> Option<usize> {
    ACR_VALUES.iter().position(|a| *a == acr)
}
