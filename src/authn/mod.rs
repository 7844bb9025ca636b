//! Proving who you are: password login and the SSO session it creates.

pub mod alerts;
pub mod authorization;
pub mod backchannel;
pub mod challenge;
pub mod channels;
pub mod code_sender;
pub mod continuation;
pub mod device;
pub mod factor_settings;
pub mod freshness;
pub mod lockout;
pub mod login_tx;
pub mod logout;
pub mod org_choice;
pub mod password;
pub mod qes;
pub mod qr_login;
pub mod second_factor;
pub mod security_events;
pub mod session;
pub mod sms_otp;
pub mod totp;
pub mod webauthn;

/// Assurance of one authentication (ARCHITECTURE §3); the order is `types::Acr`'s.
pub const ACR_LOW: &str = Acr::Low.as_str();
pub const ACR_SUBSTANTIAL: &str = Acr::Substantial.as_str();
pub const ACR_HIGH: &str = Acr::High.as_str();
/// amr (RFC 8176) of each way to sign in: password alone is low; password plus a second factor
/// (SMS code, app code or recovery code) is substantial.
pub const AMR_PASSWORD: [&str; 1] = ["pwd"];
pub const AMR_PASSWORD_SMS: [&str; 3] = ["pwd", "sms", "mfa"];
pub const AMR_PASSWORD_OTP: [&str; 3] = ["pwd", "otp", "mfa"];
/// Ordered weakest first.
pub const ACR_VALUES: [&str; 3] = [ACR_LOW, ACR_SUBSTANTIAL, ACR_HIGH];

use crate::types::Acr;

/// The acr of a stored session or token: unknown values count as low.
pub fn acr_of(value: &str) -> Acr {
    value.parse().unwrap_or(Acr::Low)
}
