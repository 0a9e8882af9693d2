/**
 * English mail strings: `<template>.<part>`. Placeholders `{name}` are filled from the mail's
 * variables (docs/mail.md lists them per template) and HTML-escaped in the HTML part;
 * `{expiresIn}` is `expiresInMinutes` as a localized duration ("24 hours", "15 minutes").
 * This catalog is the reference: every other locale may translate any subset of its keys.
 */
export const mail = {
  'common.greeting': 'Hello {userName},',
  'common.footer': 'This message was sent by {tenantName}. It was sent automatically; replies are not read.',
  'common.ignore': 'If you did not ask for this, you can ignore this message.',
  'common.linkFallback': 'If the button does not work, copy this address into your browser:',
  'common.contactAdmin': 'If this was not you, contact the administrator of {tenantName} right away.',

  'verify-email.subject': 'Verify your email address for {tenantName}',
  'verify-email.intro': 'Please confirm that this is your email address.',
  'verify-email.action': 'Verify email address',
  'verify-email.codeIntro': 'Or enter this code where you signed up:',
  'verify-email.expiry': 'The link and the code are valid for {expiresIn}.',
  'verify-email.linkExpiry': 'The link is valid for {expiresIn}.',

  'reset-password.subject': 'Reset your {tenantName} password',
  'reset-password.intro': 'Someone asked to reset the password of your account. Choose a new password with the link below.',
  'reset-password.action': 'Choose a new password',
  'reset-password.codeIntro': 'Or enter this code where you asked for the reset:',
  'reset-password.expiry': 'The link is valid for {expiresIn} and works once.',
  'reset-password.codeExpiry': 'The link and the code are valid for {expiresIn} and work once.',

  'password-changed.subject': 'Your {tenantName} password was changed',
  'password-changed.intro': 'The password of your account was just changed, and other sessions were signed out.',
  'password-changed.ip': 'The change came from the IP address {ip}.',

  'account-blocked.subject': 'Sign-ins to your {tenantName} account were blocked',
  'account-blocked.intro': 'There were too many failed sign-ins to your account from the IP address {ip}, so sign-ins from there are blocked for now.',
  'account-blocked.action': 'Unblock my account',
  'account-blocked.expiry': 'If it was you, unblock your account with the link below. It is valid for {expiresIn}. If it was not you, consider changing your password.',

  'change-email.subject': 'Confirm your new email address for {tenantName}',
  'change-email.intro': 'Please confirm that {newEmail} should become the email address of your account.',
  'change-email.action': 'Confirm new address',
  'change-email.expiry': 'The link is valid for {expiresIn}. Until you confirm, your old address stays in use.',

  'email-changed.subject': 'The email address of your {tenantName} account was changed',
  'email-changed.intro': 'The email address of your account was changed to {newEmail}. Messages about your account now go there.',

  'account-deleted.subject': 'Your {tenantName} account was deleted',
  'account-deleted.intro': 'Your account and its data were deleted. You will not receive further messages about it.',

  'signin-code.subject': 'Sign in to {tenantName}',
  'signin-code.intro': 'Someone asked to sign in to your account. If it was you, sign in with the button below.',
  'signin-code.action': 'Sign in',
  'signin-code.codeIntro': 'Or enter this code where you asked for it:',
  'signin-code.device': 'It was asked for from: {device}',
  'signin-code.expiry': 'The link and the code are valid for {expiresIn} and work once. Never share them: nobody from {tenantName} will ask you for them.',

  'registration-attempt.subject': 'Someone tried to sign up to {tenantName} with your email address',
  'registration-attempt.intro': 'Someone just tried to create an account with this email address, but you already have one.',
  'registration-attempt.signIn': 'If it was you, sign in instead:',
  'registration-attempt.signInAction': 'Sign in',
  'registration-attempt.recovery': 'Forgot your password? Choose a new one here:',
  'registration-attempt.ignore': 'If it was not you, you can ignore this message: nothing was changed.',
} as const;
