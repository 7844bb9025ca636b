### Passkeys: signing in with biometrics and managing the keys.

passkeys-title = Passkeys
passkeys-intro = A passkey lets you sign in without a password, with your fingerprint, face or device PIN. Biometric data stays on the device.
passkeys-none = No passkeys yet.
passkeys-created = Added
passkeys-last_used = last used
passkeys-name = Name
passkeys-name_hint = For example, "My phone"
passkeys-rename = Rename
passkeys-remove = Remove
passkeys-add_title = New passkey
passkeys-add = Add a passkey
passkeys-relogin = Sign in again
passkeys-back = My data
passkeys-added = Passkey added.
passkeys-renamed = Passkey renamed.
passkeys-removed = Passkey removed.
passkeys-flagged = This passkey's counter went backwards: it may have been copied. Sign-in with it is blocked; remove it and add a new one.
passkeys-err_login_too_old = To add a passkey, sign in again: your sign-in is more than 5 minutes old.
passkeys-err_login_required = Please sign in.
passkeys-err_expired = The request expired or was already used. Please try again.
passkeys-err_rejected = The passkey was not accepted. Try again or sign in with your password.
passkeys-err_unknown = This passkey is not registered. Sign in with your password.
passkeys-err_duplicate = This passkey has already been added.
passkeys-err_flagged = The passkey is blocked because it may have been copied. Sign in with your password and remove it.
passkeys-err_browser = The browser could not use a passkey.
passkeys-err_unavailable = Passkeys are not available at this address of the service.
# What the browser said, in words (WebAuthn DOMException names).
passkeys-err_not_allowed = Using the passkey was cancelled or timed out. Try again.
passkeys-err_invalid_state = This passkey is already added on this device.
passkeys-err_security = The browser did not allow a passkey at this address.
passkeys-err_not_supported = This device or browser does not support passkeys.
passkeys-err_abort = The passkey request was interrupted. Try again.
