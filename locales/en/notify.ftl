### SMS and e-mails vhod sends: codes and links, and notices about the account. Written in the
### language the person chose (the account's, else the page's). A text holds no HTML.

notify-account_subject = vhod: your account

# Codes and links ($code, $link; $minutes of validity).
notify-reg_code_subject = Confirmation code
notify-reg_code_body = Your registration code: { $code }. Do not share it. Valid for { $minutes } min.
notify-reg_link_subject = Confirm your e-mail
notify-reg_link_body = To finish registering, open { $link } (valid for { $minutes } min).
notify-taken_subject = Registration attempt
notify-taken_body = Someone tried to register a new vhod account with your phone number or e-mail. You already have an account: if it was you, sign in or recover your password at { $link }. If not, do nothing.
notify-login_code_subject = Confirmation code
notify-login_code_body = Your vhod sign-in code: { $code }. Do not share it. Valid for { $minutes } min.
notify-contact_code_subject = Confirm your contact
notify-contact_code_body = Code to confirm your new contact: { $code }. Do not share it. Valid for 10 min.
notify-recover_subject = Account recovery
notify-recover_code_body = Your account recovery code: { $code }. Do not share it. Valid for 15 min.
notify-recover_link_body = To recover access to your account, open { $link } (valid for 15 min). If it was not you, do nothing.
notify-recover_second_body = Second account recovery code: { $code }. Do not share it. If it was not you, change your password.
notify-qes_code_subject = Electronic signature binding
notify-qes_code_body = Code to bind an electronic signature certificate to your account: { $code }. Do not share it. Valid for 5 min. If it was not you, change your password.

# Notices about the account.
notify-contact_changed_subject = Contact changed
notify-contact_changed_body = A contact of your account was replaced with { $contact }. If it was not you, recover access and contact support.
notify-qes_bound_subject = Electronic signature bound
notify-qes_bound_body = An electronic signature certificate was bound to your account: it can now be used to sign in. If it was not you, change your password and unbind the certificate in the settings.
notify-lock_subject = Password sign-in temporarily locked
notify-new_device_subject = Sign-in from a new device
notify-new_device_body = Someone signed in to your account from a new device: { $device }, IP { $ip }. If it was not you, change your password and end other sessions under “Security”.
notify-unknown_device = an unknown device
notify-deleted_subject = vhod: account deleted
notify-deleted_body = Your account has been deleted irreversibly, with your personal data and the permissions you gave portals.
notify-password_recovered = Your account password was recovered and every session ended. If it was not you, contact support.
notify-passkey_added = Passkey “{ $name }” was added. If it was not you, remove it in the settings and change your password.
notify-passkey_removed = Passkey “{ $name }” was removed from your account.
notify-passkey_clone = Sign-in with passkey “{ $name }” is blocked: the key may have been copied. Remove it in the settings and add it again.

# Account levels and checks ($reason as the registry gave it).
notify-document_changed = You changed a verified document. Your account level is “Standard” until the new data is checked.
notify-check_failed = Your data did not pass the check: { $reason }.
notify-check_retry = Try again in 14 days.
notify-checked = Your data was checked by the authority.
notify-snils_in_use = the SNILS is already used by another account
notify-standard = Your data was checked. Your account level is “Standard”. You can now sign in with your SNILS.
notify-check_unfinished = The check of your data did not finish: the authority did not answer. Try again later.
notify-confirmed = Your account is confirmed. Your account level is “Confirmed”.
notify-letter_ordered = A letter with an identity confirmation code was ordered. The code is valid for 14 days from the order.
notify-bank_mismatch = Confirmation through the bank failed: the bank's data does not match your account's verified data.
