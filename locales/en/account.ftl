### The account page: levels, contacts and addresses, sessions, deleting the account.

account-recovered = Your password has been changed. All other sessions have ended.
account-title = My data
account-registered = Your account has been created.
account-level = Account level
account-contacts = Contacts
account-confirmed = confirmed
account-logout = Sign out
account-end_all = End all sessions
account-sessions = Active sessions:
account-passkeys = Passkeys (sign in with a fingerprint, face or device PIN)

delete-title = Delete the account
delete-warning = The account will be deleted irreversibly: personal data, documents, portal permissions and every session. It cannot be restored.
delete-type = To confirm, type the word «irreversibly»
delete-submit = Delete the account
delete-not_fresh = To delete the account, sign in again: the login must be less than 5 minutes old.
delete-relogin = Sign in again
delete-confirm_needed = Deletion not confirmed: type «irreversibly».
# The word typed to confirm (compared ignoring case and surrounding spaces).
delete-word = irreversibly
delete-done = The account has been deleted irreversibly.

contacts-change = Change or add a phone or e-mail
contacts-hint = A new contact replaces the old one only after you enter the code sent to it; until then the old one stays your login.
contacts-new = New phone or e-mail
contacts-sent = A code has been sent to the new contact.
contacts-invalid = Enter a mobile phone or an e-mail address.
contacts-taken = This contact is used by another account.
contacts-same = This is already your contact.
contacts-no_change = No change is waiting for a code. Start again.
contacts-addresses = Addresses
contacts-prg = Registration address
contacts-plv = Residence address
contacts-save = Save the addresses
contacts-address_too_long = The address is too long (300 characters at most).

level-simplified = Simplified
level-standard = Standard
level-confirmed = Confirmed
account-time_zone = Time zone
account-time_zone_help = Dates and times on the account pages (sign-ins, sessions, level history) are shown in it.
account-time_zone_save = Save the time zone
account-time_zone_unknown = This time zone is not in the list. Choose one from the list.
