import { describe, expect, it } from 'vitest';
import { MailSettingsSchema, type MailSettings } from './mail-settings.js';
import { MAIL_TEMPLATE_NAMES, type MailTemplateName } from './mail-templates.js';
import { formatDuration, renderMail } from './render-mail.js';

const settings = (input: unknown = {}): MailSettings => MailSettingsSchema.parse(input);
const LINK = 'https://id.example.com/acme/verify?token=abc&flow=1';

/** Every variable any template needs, valid for all of them. */
const ALL_VARIABLES = {
  tenantName: 'Acme', userName: 'Ada', link: LINK, code: '123456', expiresInMinutes: '15', ip: '203.0.113.7', newEmail: 'new@example.com',
  signInLink: 'https://id.example.com/acme/account/login', recoveryLink: 'https://id.example.com/acme/account/recovery',
};

function render(template: MailTemplateName, variables: Record<string, string> = ALL_VARIABLES, mailSettings = settings(), locale?: string) {
  return renderMail({ to: 'ada@example.com', template, locale, settings: mailSettings, variables });
}

describe('built-in templates', () => {
  it.each(MAIL_TEMPLATE_NAMES)('%s renders subject, text and HTML with every placeholder filled', (template) => {
    const mail = render(template);
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toMatch(/\{\{?[A-Za-z][\w.-]*\}\}?/);
      expect(part).toContain('Acme');
    }
    expect(mail.html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(mail.text).toContain('Hello Ada,');
    expect(mail.locale).toBe('en');
  });

  it('puts the link, the code and the lifetime into verify-email', () => {
    const mail = render('verify-email', { ...ALL_VARIABLES, expiresInMinutes: '1440' });
    expect(mail.subject).toBe('Verify your email address for Acme');
    expect(mail.text).toContain(`\n${LINK}\n`);
    expect(mail.text).toContain('123456');
    expect(mail.text).toContain('valid for 24 hours');
    expect(mail.html).toContain(`href="${LINK.replace('&', '&amp;')}"`);
    expect(mail.html).toContain('>123456</p>');
  });

  it('leaves the code out of verify-email when there is none (a link-only verification)', () => {
    for (const code of [undefined, '']) {
      const mail = render('verify-email', { tenantName: 'Acme', link: LINK, expiresInMinutes: '60', ...(code === undefined ? {} : { code }) });
      expect(mail.text).toContain('The link is valid for 1 hour.');
      expect(mail.text).not.toMatch(/code/i);
      expect(mail.html).not.toMatch(/code|monospace/i);
      expect(mail.text).not.toContain('\n\n\n');
    }
    const overridden = settings({ templates: { 'verify-email': { en: { text: 'Code: [{code}] {link}' } } } });
    expect(render('verify-email', { tenantName: 'Acme', link: LINK, expiresInMinutes: '60' }, overridden).text).toBe(`Code: [] ${LINK}`);
  });

  it('puts a code into reset-password only when there is one', () => {
    expect(render('reset-password').text).toContain('Or enter this code where you asked for the reset: 123456\n\nThe link and the code are valid for 15 minutes');
    const linkOnly = render('reset-password', { tenantName: 'Acme', link: LINK, expiresInMinutes: '15' });
    expect(linkOnly.text).toContain('The link is valid for 15 minutes and works once.');
    expect(linkOnly.html).not.toContain('monospace');
  });

  it('names the IP address in account-blocked, and in password-changed when it is known', () => {
    expect(render('account-blocked').text).toContain('from the IP address 203.0.113.7');
    expect(render('password-changed').text).toContain('signed out. The change came from the IP address 203.0.113.7.');
    expect(render('password-changed', { tenantName: 'Acme' }).text).not.toContain('IP address');
  });

  it('points the owner of an address to sign-in and recovery in registration-attempt', () => {
    const mail = render('registration-attempt');
    expect(mail.subject).toBe('Someone tried to sign up to Acme with your email address');
    expect(mail.text).toContain(`\n${ALL_VARIABLES.signInLink}\n`);
    expect(mail.text).toContain(`\n${ALL_VARIABLES.recoveryLink}\n`);
    expect(mail.html).toContain(`href="${ALL_VARIABLES.recoveryLink}"`);
  });

  it('has no link in the notices', () => {
    for (const template of ['password-changed', 'email-changed', 'account-deleted'] as const) {
      expect(render(template).html).not.toContain('<a ');
    }
  });
});

describe('escaping', () => {
  const hostile = '<script>alert(1)</script>"\'&';

  it('escapes every variable in the HTML part, and keeps the text part as written', () => {
    const mail = render('email-changed', { tenantName: hostile, userName: hostile, newEmail: hostile });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;,');
    expect(mail.html).toContain('<title>The email address of your &lt;script&gt;');
    expect(mail.text).toContain(`Hello ${hostile},`);
  });

  it('escapes variables in a tenant override of the HTML part too', () => {
    const overridden = settings({ templates: { 'password-changed': { en: { html: '<p>Hi <b>{userName}</b></p>' } } } });
    const mail = render('password-changed', { tenantName: 'Acme', userName: '<img src=x onerror=alert(1)>' }, overridden);
    expect(mail.html).toContain('<p>Hi <b>&lt;img src=x onerror=alert(1)&gt;</b></p>');
  });

  it('does not expand a placeholder typed into a value', () => {
    const mail = render('verify-email', { ...ALL_VARIABLES, userName: '{link} {{common.footer}}' });
    expect(mail.text).toContain('Hello {link} {{common.footer}},');
    expect(mail.html).toContain('Hello {link} {{common.footer}},');
  });

  it('keeps the subject on one line', () => {
    expect(render('password-changed', { tenantName: 'Acme\r\nBcc: evil@example.com', userName: 'Ada' }).subject)
      .toBe('Your Acme Bcc: evil@example.com password was changed');
  });
});

describe('variables', () => {
  it('refuses a link that is not http(s), naming the variable but not its value', () => {
    expect(() => render('reset-password', { ...ALL_VARIABLES, link: 'javascript:alert(1)' }))
      .toThrow(expect.objectContaining({ code: 'mail.invalid_variables', message: expect.stringContaining('link') }));
    expect(() => render('reset-password', { ...ALL_VARIABLES, link: 'javascript:alert(1)' })).not.toThrow(/alert/);
  });

  it('refuses a missing variable', () => {
    expect(() => render('reset-password', { tenantName: 'Acme', expiresInMinutes: '15' }))
      .toThrow(expect.objectContaining({ code: 'mail.invalid_variables', message: expect.stringContaining('link') }));
    expect(() => render('reset-password', { tenantName: 'Acme', link: '', expiresInMinutes: '15' }))
      .toThrow(expect.objectContaining({ code: 'mail.invalid_variables', message: expect.stringContaining('link') }));
  });

  it('greets the address when there is no user name', () => {
    expect(render('account-deleted', { tenantName: 'Acme' }).text).toContain('Hello ada@example.com,');
    expect(render('account-deleted', { tenantName: 'Acme', userName: '' }).text).toContain('Hello ada@example.com,');
  });

  it('formats lifetimes as people say them', () => {
    expect(formatDuration(15, 'en')).toBe('15 minutes');
    expect(formatDuration(60, 'en')).toBe('1 hour');
    expect(formatDuration(1440, 'en')).toBe('24 hours');
    expect(formatDuration(7 * 1440, 'en')).toBe('7 days');
    expect(formatDuration(90, 'de')).toBe('90 Minuten');
  });
});

describe('tenant overrides', () => {
  const overridden = settings({
    defaultLocale: 'en',
    templates: {
      'reset-password': {
        en: { subject: 'Reset at {tenantName} ({expiresIn})' },
        fr: { subject: 'Réinitialisez votre mot de passe {tenantName}', text: 'Bonjour {userName}, {link}' },
      },
    },
  });

  it('replaces only the overridden parts', () => {
    const mail = render('reset-password', ALL_VARIABLES, overridden);
    expect(mail.subject).toBe('Reset at Acme (15 minutes)');
    expect(mail.text).toContain('Someone asked to reset the password');
    expect(mail.html).toContain('Choose a new password');
  });

  it('uses the override of the recipient locale, falling back to English for the parts it lacks', () => {
    const mail = render('reset-password', ALL_VARIABLES, overridden, 'fr-BE');
    expect(mail.locale).toBe('fr');
    expect(mail.subject).toBe('Réinitialisez votre mot de passe Acme');
    expect(mail.text).toBe(`Bonjour Ada, ${LINK}`);
    expect(mail.html).toMatch(/<html lang="fr">[\s\S]*Choose a new password/);
  });

  it('does not apply an English override to another template or to a locale it was not written for', () => {
    expect(render('verify-email', ALL_VARIABLES, overridden).subject).toBe('Verify your email address for Acme');
    expect(render('reset-password', ALL_VARIABLES, overridden, 'fr').subject).not.toContain('Reset at');
  });

  it('takes an override that is a whole document as it is, and wraps a fragment in the layout', () => {
    const whole = settings({ templates: { 'account-deleted': { en: { html: '<!doctype html><html><body>Bye {userName}</body></html>' } } } });
    expect(render('account-deleted', ALL_VARIABLES, whole).html).toBe('<!doctype html><html><body>Bye Ada</body></html>');
    const fragment = settings({ templates: { 'account-deleted': { en: { html: '<p>Bye {userName}</p>' } } } });
    expect(render('account-deleted', ALL_VARIABLES, fragment).html).toMatch(/^<!doctype html>[\s\S]*<p>Bye Ada<\/p>[\s\S]*This message was sent by Acme/);
  });

  it('writes in the tenant default locale when the recipient has none', () => {
    const french = settings({ defaultLocale: 'fr', templates: { 'account-deleted': { fr: { subject: 'Compte supprimé' } } } });
    expect(render('account-deleted', ALL_VARIABLES, french).subject).toBe('Compte supprimé');
    expect(render('account-deleted', ALL_VARIABLES, french, 'ja').subject).toBe('Compte supprimé');
    expect(render('account-deleted', ALL_VARIABLES, french, 'en').subject).toBe('Your Acme account was deleted');
  });
});

describe('MailSettingsSchema', () => {
  it('refuses an unknown template and an unknown placeholder, saying which exist', () => {
    const unknownTemplate = MailSettingsSchema.safeParse({ templates: { 'reset-passwort': { en: { subject: 'x' } } } });
    expect(unknownTemplate.error?.issues[0]).toMatchObject({ path: ['templates', 'reset-passwort'], message: expect.stringContaining('reset-password') });
    const unknownPlaceholder = MailSettingsSchema.safeParse({ templates: { 'password-changed': { en: { text: 'Hi {name}, {link}' } } } });
    expect(unknownPlaceholder.error?.issues[0]).toMatchObject({
      path: ['templates', 'password-changed', 'en', 'text'], message: expect.stringMatching(/unknown placeholder \{name\}, \{link\}; password-changed has \{tenantName\}, \{userName\}/),
    });
  });

  it('refuses a From header with a line break and a malformed locale', () => {
    expect(MailSettingsSchema.safeParse({ from: 'a@example.com\r\nBcc: b@example.com' }).success).toBe(false);
    expect(MailSettingsSchema.safeParse({ templates: { 'account-deleted': { English: { subject: 'x' } } } }).success).toBe(false);
  });

  it('accepts every documented placeholder of a template', () => {
    expect(MailSettingsSchema.safeParse({
      templates: { 'verify-email': { en: { subject: '{tenantName} {userName} {link} {code} {expiresInMinutes} {expiresIn}' } } },
    }).success).toBe(true);
  });
});
