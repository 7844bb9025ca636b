### Signing in and out: the login form, the "not a robot" check, the lock, two-step sign-in.

login-forgot = Forgot your password?
login-title = Sign in
login-for_portal = to continue to
login-login = Login
login-login_help = Phone, e-mail or SNILS
login-password = Password
login-foreign = Someone else's computer
login-submit = Sign in
login-not_registered = Not registered yet?
login-register = Register
login-pow_required = There were several failed sign-in attempts. Confirm you are not a robot: the page runs a short check, then press «Sign in».
login-pow_failed = The "not a robot" check failed or expired. Wait for the new check and sign in again.
login-pow_working = Checking that you are not a robot…
login-pow_done = Check passed, you can sign in.
# $minutes: how long the lock lasts (login.lock_secs / 60).
login-locked =
    Password sign-in is locked for { $minutes } { $minutes ->
        [one] minute
       *[other] minutes
    } after repeated failed attempts. Recover your password to lift the lock, or sign in another way.
login-invalid = Wrong login or password
login-caps_hint = Check that Caps Lock is off and the keyboard layout is English.
login-passkey = Sign in with a passkey (fingerprint, face or device PIN)
# $seconds: the wait before the check may be skipped (login.pow_wait_secs, or what is left of it).
login-pow_nojs =
    If the check does not start (for example, JavaScript is off), wait { $seconds } { $seconds ->
        [one] second
       *[other] seconds
    } and press «Sign in».

second-sms_to = The code was sent by SMS to
second-sms_choice = Or get a code by SMS to
second-sms_send = Get a code by SMS
second-sms_code = Code from the SMS
second-sms_resend = Send the code again
second-sms_sent = A new code has been sent.
second-sms_too_early = A new code can be sent in
second-seconds = s
second-sms_limit = Too many SMS to this number or from this address. Try later or sign in another way.
second-sms_expired = The code has expired. Ask for a new one.
second-no_code = No code?
second-no_code_help = Check that the phone number in your profile is right and the phone has signal; an SMS may take up to a minute. After a minute ask for the code again. If SMS do not arrive, sign in with an app code or a recovery code, or contact a service centre.
second-too_many_codes = Too many wrong codes. Ask for a new code.
second-title = Two-step sign-in
second-totp_code = Code from the authenticator app
second-submit = Confirm
second-use_recovery = No access to the app? Use a recovery code
second-recovery_code = Recovery code
second-wrong = Wrong code.
second-reused = This code has already been used. Wait for the next code in the app.
second-recovery_wrong = Wrong or already used recovery code.
second-too_many = Too many wrong codes. Sign in again.
second-expired = The sign-in confirmation has expired. Sign in again.

logout-title = Sign out
logout-question = Sign out on this device?
logout-asked_by = Sign-out requested by
logout-done = You have signed out.

# The message to the owner when password sign-in is locked ($minutes from login.lock_secs).
notify-lock_body =
    Password sign-in to your account is locked for { $minutes } { $minutes ->
        [one] minute
       *[other] minutes
    }: too many failed sign-in attempts (the reason for the lock). If it was not you, recover your password — that lifts the lock. Signing in in other ways (electronic signature, passkey) still works.
