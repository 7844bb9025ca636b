//! A recovery between its steps as this release writes it (`crate::cache::compat`).

/// Contact proven, a second step with a TOTP app and a code to the e-mail address.
const PENDING: &str = r#"{"account_id":"acc-42","via":"phone","expires_at":1780000600,"contact_proven":true,"second":{"totp":true,"recovery_codes":false,"code_to":"a@example.org"},"confirmed":false}"#;

#[test]
fn a_pending_recovery_reads_across_releases() {
    let p: super::PendingRecovery = crate::cache::compat::reads_across_releases(PENDING);
    assert_eq!(p.account_id.as_deref(), Some("acc-42"));
    assert!(p.contact_proven && !p.confirmed);
    let second = p.second.expect("the second step");
    assert!(second.totp && !second.recovery_codes);
    assert_eq!(second.code_to.as_deref(), Some("a@example.org"));
}
