//! Security changes of an account, recorded where they happen and listed with the sign-ins under
//! «Просмотр последних действий», so a person sees a change they did not make.

use crate::ctx::Ctx;
use crate::store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    PasswordChanged,
    SmsTwoStepOn,
    SmsTwoStepOff,
    TotpAdded,
    TotpRemoved,
    PasskeyAdded,
    PasskeyRemoved,
    PasskeyRenamed,
    /// A recovery code was spent (sign-in or password recovery).
    RecoveryCodeUsed,
    RecoveryCodesRenewed,
    /// A successful sign-in from a device (user agent and IP) never seen before.
    NewDevice,
    ContactChanged,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::PasswordChanged,
        Kind::SmsTwoStepOn,
        Kind::SmsTwoStepOff,
        Kind::TotpAdded,
        Kind::TotpRemoved,
        Kind::PasskeyAdded,
        Kind::PasskeyRemoved,
        Kind::PasskeyRenamed,
        Kind::RecoveryCodeUsed,
        Kind::RecoveryCodesRenewed,
        Kind::NewDevice,
        Kind::ContactChanged,
    ];

    /// The name stored in security_events.kind; the page's words are `event.<name>`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::PasswordChanged => "password_changed",
            Kind::SmsTwoStepOn => "sms_on",
            Kind::SmsTwoStepOff => "sms_off",
            Kind::TotpAdded => "totp_added",
            Kind::TotpRemoved => "totp_removed",
            Kind::PasskeyAdded => "passkey_added",
            Kind::PasskeyRemoved => "passkey_removed",
            Kind::PasskeyRenamed => "passkey_renamed",
            Kind::RecoveryCodeUsed => "recovery_code_used",
            Kind::RecoveryCodesRenewed => "recovery_codes_renewed",
            Kind::NewDevice => "new_device",
            Kind::ContactChanged => "contact_changed",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Records a change of the account; `detail` names what it concerns (a passkey, a masked
/// contact, a device), never a secret.
pub async fn record(
    app: &Ctx,
    account_id: &str,
    kind: Kind,
    detail: &str,
) -> Result<(), StoreError> {
    app.store
        .record_security_event(account_id, kind.name(), detail)
        .await
}
