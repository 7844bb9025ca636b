//! A passkey ceremony between its start and its finish, as this release writes it
//! (`crate::cache::compat`). The states embed webauthn-rs' own types, so the fixtures freeze that
//! library's serialization too: an upgrade that changes it fails here, not during a rolling deploy.
//!
//! The states were started once with webauthn-rs 0.5.5 for the relying party
//! `https://vhod.example.ru`, and answered once by webauthn-authenticator-rs' SoftToken (user
//! verified); both answers are frozen with them, so a state read back must still finish its own
//! ceremony, not merely parse.

use super::*;
use crate::cache::compat::reads_across_releases;

const ACCOUNT: &str = "0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20";
const USER_HANDLE: &str = "4f8a2c1e-9b3d-4e7a-8c5f-1d2e3f4a5b6c";
/// The credential the enrolment creates (base64url).
const CRED_ID: &str = "yKVzHLaezKDb2VMNJKZv7xB7FE8v19GZTNqBJiVIlXg";

/// An enrolment of the account's second passkey (one credential excluded).
const ENROLMENT: &str = r#"{"account_id":"0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20","user_handle":"4f8a2c1e-9b3d-4e7a-8c5f-1d2e3f4a5b6c","expires_at":1780000300,"state":{"rs":{"policy":"required","exclude_credentials":["BwcHBwcHBwcHBwcHBwcHBw"],"challenge":"LFfZzKJs9dvckDqHl3bjw_w9s_GJV15h6QeiESi1ctI","credential_algorithms":["ES256","RS256"],"require_resident_key":false,"authenticator_attachment":null,"extensions":{"credentialProtectionPolicy":"userVerificationRequired","enforceCredentialProtectionPolicy":false,"uvm":true,"credProps":true},"allow_synchronised_authenticators":true}}}"#;

/// The authenticator's answer to the enrolment (`navigator.credentials.create`).
const ENROLMENT_ANSWER: &str = r#"{"id":"yKVzHLaezKDb2VMNJKZv7xB7FE8v19GZTNqBJiVIlXg","rawId":"yKVzHLaezKDb2VMNJKZv7xB7FE8v19GZTNqBJiVIlXg","response":{"attestationObject":"o2NmbXRmcGFja2VkZ2F0dFN0bXSjY2FsZyZjc2lnWEgwRgIhAI1WFYRaDrj4Yezyr43mHgH29oUznseZg5BUEu0owrmOAiEAwwziKNR8DfLlrOTMljsT-_mO2ZWHlqymiHmMlDXVAWtjeDVjgVkCZTCCAmEwggIHoAMCAQICAQIwCgYIKoZIzj0EAwIwgYMxCzAJBgNVBAYTAkFVMQwwCgYDVQQIDANRTEQxIjAgBgNVBAoMGVdlYmF1dGhuIEF1dGhlbnRpY2F0b3IgUlMxQjBABgNVBAMMOUR5bmFtaWMgU29mdHRva2VuIENBIGQ4ZjQ2ZTVhLWU4OWMtNDM2My04NWEwLWY5MmY2M2NlYmNkNzAeFw0yNjEyMDUyMTA3MjhaFw0yNjEyMDYyMTA3MjhaMIGQMQswCQYDVQQGEwJBVTEMMAoGA1UECAwDUUxEMSIwIAYDVQQKDBlXZWJhdXRobiBBdXRoZW50aWNhdG9yIFJTMSswKQYDVQQDDCJEeW5hbWljIFNvZnR0b2tlbiBMZWFmIENlcnRpZmljYXRlMSIwIAYDVQQLDBlBdXRoZW50aWNhdG9yIEF0dGVzdGF0aW9uMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEexwgE75eg4k5EFvgHJ1J9ZYCezOnwIA8n5tLyNz4uAt6bJ8eN2qwwogcN7xLN6qGkQQPChLtn88m_TS6B96hAKNdMFswCQYDVR0TBAIwADAOBgNVHQ8BAf8EBAMCBeAwHQYDVR0OBBYEFGx5FhIJ335cCCl5zaebN9bJyNpdMB8GA1UdIwQYMBaAFNo5o-5ea0sNMlW_75VgGJCv2AcJMAoGCCqGSM49BAMCA0gAMEUCIDldAhaofeRRs03RqEA7CJtW1e5M4Y-t_yX-BMq5-QOGAiEA3SRrzK_NvqPmqPZVX-096mp712IGpYCLSapO0JZ7VUBoYXV0aERhdGFYpDyEkL2M4gigboA8rZjplvDRykKs_10Lj1L8U7jY12NTRQAAAAAPuby8oNRAQruwVZvBYx4oACDIpXMctp7MoNvZUw0kpm_vEHsUTy_X0ZlM2oEmJUiVeKUBAgMmIAEhWCATALvbftEwn94HmlIla5had0PnRCyfosIxFpvaMb0m5SJYIMjSAkVRQgobYIziWlpoPYw0iCQyL7PBXmBomcBoCVaw","clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiTEZmWnpLSnM5ZHZja0RxSGwzYmp3X3c5c19HSlYxNWg2UWVpRVNpMWN0SSIsIm9yaWdpbiI6Imh0dHBzOi8vdmhvZC5leGFtcGxlLnJ1LyIsInRva2VuQmluZGluZyI6bnVsbH0","transports":["internal"]},"type":"public-key","extensions":{}}"#;

/// A passwordless sign-in (discoverable credentials: none named).
const SIGN_IN: &str = r#"{"expires_at":1780000300,"state":{"ast":{"credentials":[],"policy":"required","challenge":"6B_I8t5zY1KvnUn8D7V1HrCKax_J_u9cJsQ7C6NdZos","appid":null,"allow_backup_eligible_upgrade":false}}}"#;

/// The same authenticator's answer to the sign-in (`navigator.credentials.get`).
const SIGN_IN_ANSWER: &str = r#"{"id":"yKVzHLaezKDb2VMNJKZv7xB7FE8v19GZTNqBJiVIlXg","rawId":"yKVzHLaezKDb2VMNJKZv7xB7FE8v19GZTNqBJiVIlXg","response":{"authenticatorData":"PISQvYziCKBugDytmOmW8NHKQqz_XQuPUvxTuNjXY1MFAAAAAQ","clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiNkJfSTh0NXpZMUt2blVuOEQ3VjFIckNLYXhfSl91OWNKc1E3QzZOZFpvcyIsIm9yaWdpbiI6Imh0dHBzOi8vdmhvZC5leGFtcGxlLnJ1LyIsInRva2VuQmluZGluZyI6bnVsbH0","signature":"MEQCIF3RTTnfwlYEQpxlNw8n5g0B9oo1_tb8Q4FOHell2w9WAiBcqLlKkDRGbFLdWoXmRBmI87b7Va-qQrcglc8kOoE4OQ","userHandle":"T4osHps9TnqMXx0uP0pbbA"},"extensions":{"appid":null,"hmac_get_secret":null},"type":"public-key"}"#;

/// The relying party the ceremonies were started by.
fn rp() -> Webauthn {
    build("https://vhod.example.ru", "Вход")
        .unwrap()
        .expect("a host name")
}

/// The passkey the frozen enrolment creates when `state` finishes it.
fn enrol(state: &PasskeyRegistration) -> Passkey {
    let answer: RegisterPublicKeyCredential = serde_json::from_str(ENROLMENT_ANSWER).unwrap();
    rp().finish_passkey_registration(&answer, state)
        .expect("the state read back finishes its enrolment")
}

#[test]
fn an_enrolment_reads_across_releases() {
    let e: Enrolment = reads_across_releases(ENROLMENT);
    assert_eq!(e.account_id.as_str(), ACCOUNT);
    assert_eq!(e.user_handle.to_string(), USER_HANDLE);
    assert_eq!(e.expires_at, 1_780_000_300);
    let passkey = enrol(&e.state);
    assert_eq!(
        URL_SAFE_NO_PAD.encode(passkey.cred_id().as_ref() as &[u8]),
        CRED_ID
    );
}

#[test]
fn a_sign_in_reads_across_releases() {
    let s: SignIn = reads_across_releases(SIGN_IN);
    assert_eq!(s.expires_at, 1_780_000_300);
    let enrolment: Enrolment = serde_json::from_str(ENROLMENT).unwrap();
    let passkey = enrol(&enrolment.state);
    let answer: PublicKeyCredential = serde_json::from_str(SIGN_IN_ANSWER).unwrap();
    let (user_handle, cred_id) = rp()
        .identify_discoverable_authentication(&answer)
        .expect("the answer names its passkey");
    assert_eq!(user_handle.to_string(), USER_HANDLE);
    assert_eq!(URL_SAFE_NO_PAD.encode(cred_id), CRED_ID);
    let result = rp()
        .finish_discoverable_authentication(&answer, s.state, &[DiscoverableKey::from(&passkey)])
        .expect("the state read back finishes its sign-in");
    assert!(result.user_verified());
    assert_eq!(result.counter(), 1);
}
