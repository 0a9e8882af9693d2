/**
 * English text of the sign-in, consent and account pages and of the flow messages and labels.
 *
 * - Message keys are the message `code` the JSON API returns (`signin.invalid_credentials`). Where
 *   one code has several sentences, the extra ones are `<code>.<variant>`
 *   (`password.common.pattern`); the API still reports the plain code.
 * - `label.*` field labels, `button.*` buttons, `title.*` page titles, `nav.*` links under a form,
 *   `section.*` settings sections, `page.*` texts of the one-message pages, `consent.*` and
 *   `login.*` the OpenID Connect sign-in and consent pages.
 * - `{name}` placeholders are filled by the code and escaped where HTML is written.
 * This catalog is the reference: every other locale may translate any subset of its keys.
 */
export const pages = {
  // Form fields (flows/flow-fields.ts)
  'field.required': 'This field is required.',
  'field.too_long': 'This is too long: at most {max} bytes.',
  'field.too_long.characters': 'Use at most {max} characters.',
  'identifier.too_long': 'This is too long: at most {max} characters.',
  'username.invalid_length': 'Use 2 to 64 characters.',
  'username.invalid_characters': 'Use letters, digits, ".", "_" or "-", starting and ending with a letter or digit.',
  'username.mixed_script': 'Use letters from one alphabet only: mixing alphabets makes names that look like others.',
  'username.taken': 'This username is taken. Choose another one.',
  'email.invalid': 'Enter a valid email address, like name@example.com.',
  'email.mixed_script': 'Use letters from one alphabet only in the email address.',

  // Password policy (security/password-policy); `{minLength}`, `{maxLength}` from the tenant's policy.
  'password.too_short': 'Use at least {minLength} characters.',
  'password.too_long': 'Use at most {maxLength} characters.',
  'password.too_long.bytes': 'Passwords are limited to 4 KiB ({max} bytes).',
  'password.contains_identifier': 'Choose a password that does not contain your username or email address.',
  'password.common': 'This is one of the most common passwords, so attackers try it first. Choose another.',
  'password.common.pattern': 'Avoid repeated or consecutive characters like "aaaaaaaa" or "12345678": attackers try them first.',
  'password.breached': 'This password has appeared in a data breach, so attackers try it first. Choose another.',

  // Sign-in; `{wait}` is a localized duration ("30 seconds", "5 minutes").
  'signin.unknown_method': 'Choose a way to sign in.',
  'mfa.second_factor_needed': 'Confirm it is you with a second step.',
  'mfa.enrolment_required': 'This application needs a second sign-in factor. Set one up to continue.',
  'mfa.reauthenticate': 'For your security, sign in again before changing how you sign in.',
  // TOTP and recovery codes (identity/factors/totp.ts, recovery-codes.ts)
  'method.totp': 'Authenticator app',
  'method.totp.submit': 'Verify code',
  'method.recovery_code': 'Recovery codes',
  'method.recovery_code.submit': 'Use recovery code',
  'label.totp_code': 'Six-digit code from your authenticator app',
  'label.totp_qr': 'QR code to scan with your authenticator app',
  'label.totp_secret': 'Or type this key into the app',
  'label.totp_uri': 'Setup link',
  'label.totp_name': 'Name, to tell your authenticators apart',
  'label.factor_added': 'Added',
  'label.factor_last_used': 'Last used',
  'label.never_used': 'Never',
  'label.recovery_code': 'Recovery code',
  'label.recovery_codes': 'Your recovery codes',
  'label.recovery_codes_remaining': 'Unused recovery codes',
  'button.totp_add': 'Add an authenticator app',
  'button.totp_confirm': 'Confirm',
  'button.remove': 'Remove',
  'button.recovery_codes_generate': 'Generate recovery codes',
  'button.recovery_codes_regenerate': 'Generate new recovery codes',
  'totp.default_name': 'Authenticator app',
  'totp.scan': 'Scan the QR code with your authenticator app, or type the key into it, then enter the code the app shows.',
  'totp.enrolled': 'Your authenticator app is set up. You will be asked for a code from it when you sign in.',
  'totp.removed': 'The authenticator app was removed.',
  'totp.no_enrolment': 'This setup has ended. Add the authenticator app again.',
  'mfa.code_invalid': 'That code is not right. Enter the code your authenticator app shows now.',
  'mfa.code_used': 'This code was already used. Wait for the next code in your authenticator app.',
  'mfa.factor_not_found': 'This sign-in method no longer exists. Reload the page.',
  'mfa.unknown_action': 'Choose what to do.',
  'recovery_codes.offer': 'Next, generate recovery codes: they let you sign in if you lose your phone.',
  'recovery_codes.generated': 'Store these recovery codes somewhere safe, like a password manager: they are shown only this once. ' +
    'Each code works once. Any older codes no longer work.',
  'recovery_codes.invalid': 'This recovery code is not valid, or it was already used.',
  'recovery_codes.low': 'You have {remaining} unused recovery codes left. Generate new ones on the sign-in methods page.',
  'mfa.last_strong_factor': 'This is your last second factor, and your organization requires one. Add another before removing this one.',
  'mfa.policy_required': 'Your organization requires a second sign-in factor.',
  'title.security': 'Sign-in methods',
  'nav.security': 'Sign-in methods',
  'nav.sign_in_again': 'Sign in again',
  'nav.continue_to_app': 'Continue to the application',
  'label.remember_device': 'Remember this device for {days} days',
  'signin.invalid_credentials': 'Incorrect username, email or password.',
  'signin.blocked': 'Too many failed sign-ins: signing in to this account from your network is blocked for now. If the account exists, ' +
    'its owner was sent an email with a link to unblock it; resetting the password unblocks it too.',
  'signin.throttled': 'Too many attempts. Wait {wait} and try again.',
  'signin.succeeded': 'You are signed in.',
  'account.disabled': 'This account has been disabled. Contact your administrator.',
  'account.unverified': 'Verify your email address before signing in: open the link we emailed you, or ask for a new one.',

  // Registration and verification
  'registration.disabled': 'This organization does not allow creating accounts here. Ask your administrator for an invitation.',
  'registration.throttled': 'Too many sign-ups from here. Try again later.',
  'registration.succeeded': 'Your account is ready.',
  'verification.sent': 'We sent a link to {email}. Open it to verify your address, or enter the code from the email here.',
  'verification.sent.if_account': 'If {email} belongs to an account that needs verifying, we sent it a link and a code. ' +
    'Open the link, or enter the code here.',
  'verification.succeeded': 'Your email address is verified.',
  'verification.succeeded.signed_in': 'Your email address is verified and your account is ready.',
  'verification.throttled': 'Too many emails were sent to this address. Try again later.',

  // Recovery
  'recovery.sent': 'If {email} belongs to an account, we sent it a link to reset the password. ' +
    'Open the link, or enter the code from the email and a new password here.',
  'recovery.throttled': 'Too many reset requests. Try again later.',
  'recovery.succeeded': 'Your password was changed. Sign in with the new one.',

  // Emailed links and codes
  'link.invalid': 'This link or code has expired or was already used. Ask for a new one.',
  'link.superseded': 'This link is no longer valid because the account changed since it was sent (for example, the password). Ask for a new one.',
  'code.too_many_attempts': 'Too many wrong codes. Ask for a new email.',

  // Flows and sessions
  'flow.expired': 'This form has expired. Start again.',
  'flow.not_found': 'This form does not exist. Start again.',
  'flow.completed': 'This form was already completed.',
  'flow.not_yours': 'This settings form belongs to another session.',
  'session.required': 'Sign in first.',
  'session.required.settings': 'Sign in to change your account settings.',

  // Settings
  'settings.unknown_method': 'Choose what to change.',
  'settings.confirm_delete': 'Type DELETE in capitals to confirm.',
  'settings.wrong_password': 'Your current password is not correct.',
  'settings.password_changed': 'Your password was changed. Your other sessions were signed out.',
  'settings.same_email': 'This is already your email address.',
  'settings.email_link_sent': 'We sent a link to {email}. Your address changes when you open it.',
  'settings.account_deleted': 'Your account was deleted.',

  // Field labels
  'label.email': 'Email',
  'label.new_email': 'New email',
  'label.username': 'Username',
  'label.username_or_email': 'Username or email',
  'label.name': 'Name',
  'label.password': 'Password',
  'label.new_password': 'New password',
  'label.current_password': 'Current password',
  'label.code': 'Code from the email',
  'label.confirm_delete': 'Type DELETE to confirm',
  'label.optional': '(optional)',

  // Buttons
  'button.sign_in': 'Sign in',
  'button.sign_out': 'Sign out',
  'button.create_account': 'Create account',
  'button.verify': 'Verify',
  'button.send_verification': 'Send verification email',
  'button.send_reset_link': 'Send reset link',
  'button.reset_password': 'Reset password',
  'button.set_new_password': 'Set new password',
  'button.save': 'Save',
  'button.cancel': 'Cancel',
  'button.allow': 'Allow',
  'button.deny': 'Deny',

  // Settings sections (heading and button of each form)
  'section.password': 'Change password',
  'section.email': 'Change email',
  'section.delete': 'Delete account',

  // Page titles
  'title.login': 'Sign in',
  'title.register': 'Create your account',
  'title.verification': 'Verify your email',
  'title.recovery': 'Reset your password',
  'title.settings': 'Account settings',
  'title.account': 'Account',
  'title.consent': 'Allow access',
  'title.page_not_found': 'Page not found',
  'title.form_expired': 'Form expired',
  'title.link_invalid': 'Link not valid',
  'title.choose_password': 'Choose a new password',
  'title.email_verified': 'Email verified',
  'title.password_changed': 'Password changed',
  'title.signin_unblocked': 'Sign-in unblocked',
  'title.email_changed': 'Email changed',
  'title.signin_expired': 'Sign-in expired',
  'title.unexpected_step': 'Unexpected step',

  // Links under forms
  'nav.forgot_password': 'Forgot password?',
  'nav.create_account': 'Create account',
  'nav.have_account': 'Already have an account? Sign in',
  'nav.back_to_sign_in': 'Back to sign in',
  'nav.sign_in': 'Sign in',

  // One-message pages
  'page.no_such_page': 'There is no such page.',
  'page.signed_in_as': 'Signed in as {userName}',
  'page.form_expired': 'This form has expired. Go back and try again.',
  'page.form_expired_link': 'This form has expired. Open the link from the email again.',
  'page.email_verified': 'Your email address is verified. You can sign in now.',
  'page.password_changed': 'Your password was changed and every session signed out. Sign in with the new password.',
  'page.signin_unblocked': 'You can sign in again. If the failed attempts were not yours, change your password.',
  'page.email_changed': 'Your email address is now {email}. Sign in again.',
  'page.signin_link_invalid': 'This sign-in link is not valid.',
  'page.signin_expired': 'This sign-in has expired or was opened in another browser. Go back to the application and start again.',
  'page.start_again': 'Go back to the application and start again.',

  // OpenID Connect sign-in and consent pages; `{clientName}` is the application's name.
  'login.to_continue': 'to continue to {clientName}',
  'login.enter_credentials': 'Enter your username or email and your password.',
  'consent.heading': 'Allow {clientName} access?',
  'consent.signed_in_as': 'Signed in as {userName}',
  'consent.asks': '{clientName} asks to:',
  'consent.you': 'you',
  'client.unnamed': 'the application',

  // Device sign-in (RFC 8628): the pages where a user types and confirms the code a TV or CLI shows.
  'title.device': 'Sign in on a device',
  'title.device_confirm': 'Confirm the device',
  'title.device_done': 'Device signed in',
  'device.enter_code': 'Enter the code shown on your device.',
  'label.user_code': 'Code',
  'button.continue': 'Continue',
  'device.code_invalid': 'That code is not valid. Check it and try again.',
  'device.code_expired': 'That code has expired. Start again on your device to get a new one.',
  'device.code_used': 'That code was already used. Start again on your device to get a new one.',
  'device.no_code': 'Enter the code shown on your device.',
  'device.aborted': 'The sign-in was cancelled. The device was not signed in.',
  'device.error': 'The sign-in could not be completed. Start again on your device.',
  'device.throttled': 'Too many codes entered. Wait {wait} and try again.',
  'device.confirm': '{clientName} asks to sign in on a device. Continue only if your device shows this code:',
  'device.confirm_warning': 'If you did not start this, or the code differs, cancel.',
  'device.done': 'You are signed in to {clientName} on your device. You can close this page.',

  // RP-initiated logout pages (provider/logout.ts)
  'title.logout': 'Sign out',
  'title.logged_out': 'You are signed out',
  'logout.question': 'Do you want to sign out?',
  'logout.question_client': '{clientName} asks to sign you out. Do you want to sign out?',
  'logout.done': 'You have been signed out. You can close this window.',
  'button.stay_signed_in': 'Stay signed in',

  // Connected applications (experience/consent-routes.ts): what each application was allowed, and revoking it.
  'title.consents': 'Connected applications',
  'nav.consents': 'Connected applications',
  'nav.settings': 'Account settings',
  'consents.intro': 'These applications can use your account as listed. Revoking access signs the application out; it has to ask you again.',
  'consents.none': 'No application has access to your account.',
  'consents.revoked': '{clientName} no longer has access to your account.',
  'consents.not_found': 'That application has no access to revoke.',
  'button.revoke': 'Revoke access',
  // What the OpenID Connect scopes allow (the consent page's words, see experience/permissions.ts).
  'scope.openid': 'Sign you in',
  'scope.profile': 'See your name and username',
  'scope.email': 'See your email address',
  'scope.offline_access': 'Stay signed in to it when you are not using it',
} as const;
