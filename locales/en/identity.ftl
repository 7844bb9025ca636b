### Identity: documents, account levels and how they were reached, code letters, the partner bank, other records.

docs-title = Documents and account level
docs-checking = Your data is being checked by the state registries. The result will arrive as a notification, by SMS or e-mail.
docs-documents = Documents
docs-none = No documents yet.
docs-request_standard = Enter SNILS and passport for a standard account
docs-history = Account level history
docs-feed = Notifications
docs-back = Back to my account
docs-back_docs = Back to documents

doc-snils = SNILS
doc-passport_rf = Russian passport
doc-foreign_id = Foreign national's identity document
doc-status-verifying = verifying
doc-status-verified = verified
doc-status-rejected = rejected
doc-status-failed = check not completed
doc-drivers_licence = Driving licence
doc-inn = Taxpayer number (INN)
doc-medical_policy = Medical insurance policy
doc-vehicle = Vehicle
doc-child = Child

method-registration = registration
method-registry = registry check
method-document_changed = a verified document was changed
method-service_centre = at a service centre
method-code_letter = code letter
method-qes = qualified electronic signature
method-bank = through a partner bank

standard-title = Standard account
standard-intro = Enter your SNILS and passport. They are checked with the Social Fund of Russia and the Ministry of Internal Affairs; verified data stays as it is until the check ends.
standard-patronymic = Patronymic (if any)
standard-birth_date = Date of birth
standard-birthplace = Place of birth
standard-gender = Sex
standard-male = male
standard-female = female
standard-document = Identity document
standard-series = Series
standard-number = Number
standard-issued = Date of issue
standard-issuer_code = Issuing office code
standard-country = Citizenship (country code, for foreigners)
standard-submit = Send for checking
standard-submitted = Your data has been sent for checking. The result will arrive as a notification.
standard-bad_snils = The SNILS is wrong: 11 digits with a matching check number
standard-bad_document = The document is wrong: series 4 digits, number 6 digits, office code NNN-NNN
standard-bad_country = Enter a three-letter country code
standard-bad_date = The date is wrong
standard-bad_name = Names are letters, with hyphens or spaces
standard-bad_birthplace = Enter the place of birth
standard-bad_gender = Choose the sex
standard-running = A check is already running. Wait for its result.
standard-snils_taken = This SNILS is used by another account. Visit a service centre.
standard-unchanged = These data are already verified.

letter-title = Confirm your identity with a code letter
letter-address = Registration address
# $valid-days: identity.letter_valid_days; $reorder-days: identity.letter_reorder_days.
letter-hint =
    The letter with the confirmation code comes by Russian Post. The code is valid { $valid-days } { $valid-days ->
        [one] day
       *[other] days
    }; a new letter may be ordered after { $reorder-days } { $reorder-days ->
        [one] day
       *[other] days
    }. Some portals do not accept this method.
letter-order = Order the letter
letter-ordered = The code letter has been ordered.
letter-enter_title = Enter the code from the letter
letter-code = Confirmation code
letter-confirm = Confirm
letter-confirmed = Your account is confirmed.
letter-not_standard = A code letter is available to standard accounts only.
# $reorder-days: identity.letter_reorder_days.
letter-too_soon =
    A new letter may be ordered { $reorder-days } { $reorder-days ->
        [one] day
       *[other] days
    } after the previous one.
letter-no_address = Enter the registration address.
letter-none = No code letter was ordered.
letter-expired = The code has expired. Order a new letter.
letter-wrong_code = Wrong confirmation code.
letter-too_many = Too many wrong attempts. Order a new letter or visit a service centre.

required-title = Account level too low
required-text = This portal requires an account of level
required-how = Standard: enter your SNILS and passport in your account for the registries to check. Confirmed: after that, confirm your identity at a service centre, with a code letter, an electronic signature or through a bank.
required-raise = Raise my account level
required-back = Back to the portal

bank-title = Confirm through a bank
bank-hint = A bank that has identified you passes your surname, name, birth date and SNILS; they must match your verified data.
bank-button = Confirm through
bank-confirmed = Your account is confirmed through the bank.
bank-failed = Confirmation through the bank failed

records-title = Other documents, vehicles and children
records-intro = Records are checked with the registries (traffic police, health insurance fund, civil registry) and reach portals only once verified. Available to standard and confirmed accounts.
records-expires = Valid until
records-vehicle_name = Make and model
records-plate = Number plate
records-reg_cert = Vehicle registration certificate (10 digits)
records-birth_cert = Birth certificate (series and number)
records-bad_name = The name is wrong.
records-bad_plate = The number plate is wrong (e.g. А123ВС77).
records-bad_number = The document series or number is wrong.
records-needs_standard = First reach the standard level: enter your SNILS and passport.
