### Registration: the form, the confirmation code or link, creating the password.

register-title = Registration
register-surname = Surname
register-name = Name
register-contact_help = Type the mobile number any way you like: 8 912 345-67-01, +7 (912) 3456701. A landline will not do: it cannot receive SMS.
register-contact = Mobile phone or e-mail
register-submit = Register
register-terms = By pressing “Register” you accept the terms of use and the privacy policy (versions
register-bad_surname = Enter your surname in letters
register-bad_name = Enter your name in letters
register-not_mobile = A mobile phone number is needed: the code comes by SMS. A landline number will not do. Example: +7(912)3456789
register-bad_phone = Malformed phone number. Example: +7(912)3456789
register-bad_email = Malformed e-mail address
register-taken_phone = This phone number is already registered. Sign in or recover your password.
register-taken_email = This e-mail address is already registered. Sign in or recover your password.

confirm-title = Confirmation
confirm-sms_sent = We sent a confirmation code to
confirm-email_sent = We sent an e-mail with a confirmation link to
confirm-code = Code from the SMS
confirm-submit = Continue
confirm-wrong = Wrong code. Attempts left:
confirm-too_many = Too many wrong attempts. Please start the registration again.
confirm-expired = The code or link has expired. Please start the registration again.
confirm-no_code = No code? Check the number and wait a couple of minutes; SMS are sometimes delayed.

password-title = Create a password
password-new = Password
password-repeat = Repeat the password
password-rules = A password of 12 characters or more can be anything, for example a phrase of several words in any language. A password of 8–11 characters needs upper- and lower-case letters, digits and punctuation. Common and leaked passwords, rows of keys, repetitions and your own name, surname, phone and birth date will not do.
password-submit = Save
password-too_short = The password is shorter than 8 characters
password-too_long = The password is longer than 256 characters
password-missing_class = A password shorter than 12 characters needs upper- and lower-case letters, digits and punctuation; or choose a phrase of 12 characters or more
password-common = This password is easy to guess: it is common, a row of keys or repetitions, or contains your name, surname, phone or birth date. Choose another one, for example a phrase of several words
password-mismatch = The passwords do not match
password-check_strength = 12 characters or more — or 8–11 characters with upper- and lower-case letters, digits and symbols
password-check_match = The passwords match
confirm-change_phone = Change the number
confirm-change_email = Change the e-mail address
