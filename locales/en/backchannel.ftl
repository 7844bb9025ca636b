# Sign-in approved on another device: the device grant's page (/device) and CIBA's approval page (/ciba).

device-title = Sign in on another device
device-intro = Enter the code shown by the TV, kiosk or other device. Letter case does not matter and the dash is optional.
device-code_label = Code from the device's screen
device-continue = Continue
device-unknown_code = There is no such code or it has expired. Check the code on the device's screen.
device-too_many = Too many wrong codes from this address. Try again in an hour.
device-approve_title = Allow sign-in on the device?
device-asks = asks to sign in on a device on your behalf and to receive:
device-code_shown = The code you entered:
device-only_yours = Allow only if you started signing in on that device yourself and it shows the same code.
device-allow = Allow
device-deny = Deny

ciba-title = Confirm sign-in
ciba-asks = asks you to confirm it is you and to receive:
ciba-binding = Message from the portal:
ciba-binding_check = It must match the message you see or the operator tells you.
ciba-not_you = If you did not contact this organisation, choose «Deny».
ciba-allow = Confirm
ciba-deny = Deny
ciba-other_person = This request is addressed to someone else. Sign in with your own account.
ciba-notify_subject = Confirm sign-in
# $portal: the portal's name; $message: its binding_message; $link: the approval page.
ciba-notify_body = { $portal } asks you to confirm sign-in. Message: { $message }. Confirm or deny: { $link }
ciba-banner = asks you to confirm sign-in.
ciba-banner_open = Open the request

backchannel-level_too_low = Your account's level is below what the portal requires.
backchannel-unmet = The portal requires a stronger sign-in (a second factor or an electronic signature), and your account has none.
backchannel-gone = Request not found: it has expired or has already been decided.
backchannel-done_title = Done
backchannel-approved = You allowed sign-in for the portal
backchannel-return = Go back to the device: sign-in continues there.
backchannel-denied = You denied access to the portal
backchannel-to_account = To your account
