### Password recovery.

recover-title = Recover your password
recover-intro = Enter your mobile phone, e-mail or SNILS — or your passport series and number. A code goes to your confirmed phone, a link to your confirmed e-mail.
recover-login = Phone, e-mail or SNILS
recover-or_passport = or a Russian passport:
recover-submit = Continue
recover-no_contact = No access to your phone or e-mail? Visit a service centre with your passport.
recover-sent = If the account exists, we have sent a code to its confirmed phone or a link to its confirmed e-mail.
recover-code = Code from the SMS
recover-bad_input = Enter a phone, e-mail, SNILS or passport series and number.
recover-expired = The recovery has expired. Start again.
recover-wrong_code = Wrong code.
recover-too_many = Too many wrong attempts. Start again.
recover-second_title = Confirm with your second factor
recover-second_intro = Your account has two-step sign-in on, so the recovery code alone is not enough. Confirm the recovery in a second, independent way.
recover-second_sms = We have sent a code by SMS to your two-step sign-in phone
recover-second_email = We have sent a code to your confirmed e-mail
recover-second_code = Code
recover-second_resend = Send the code again
recover-service_centre = The recovery cannot be confirmed another way: no second factor is available. Visit a service centre with your passport: they will confirm your identity and restore access.
recover-no_second = No access to your second factor? Visit a service centre with your passport.
recover-change_login = Change the number or address
