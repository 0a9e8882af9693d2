import { expect } from 'vitest';
import { ALICE } from './fixtures.js';
import { form, type HttpClient } from './http.js';

/** The value of a hidden form field of a page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no ${name} field in page:\n${html.slice(0, 2000)}`);
  return match[1];
}

/**
 * The phone's side of a device sign-in (RFC 8628), like a person would do it: enter the user
 * code on the verification page, confirm, sign in and consent, and see the success page.
 *
 * @example
 * await approveDeviceOnPhone(createHttpClient(), info.verificationUri, info.userCode);
 */
export async function approveDeviceOnPhone(
  http: HttpClient, verificationUri: string, userCode: string,
  user: { login: string; password: string } = { login: ALICE.username, password: ALICE.password },
): Promise<void> {
  const page = await (await http.fetch(verificationUri)).text();
  const confirm = await (await http.fetch(verificationUri, { method: 'POST', body: form({ xsrf: hiddenField(page, 'xsrf'), user_code: userCode }) })).text();
  let step = await http.follow(verificationUri, {
    method: 'POST', body: form({ xsrf: hiddenField(confirm, 'xsrf'), user_code: hiddenField(confirm, 'user_code'), confirm: 'yes' }),
  });
  for (let i = 0; i < 4; i++) {
    const html = await step.response.text();
    if (!html.includes('name="csrf"')) {
      expect(html).toContain('Device signed in');
      return;
    }
    const csrf = hiddenField(html, 'csrf');
    const body = html.includes('name="password"') ? form({ csrf, identifier: user.login, password: user.password }) : form({ csrf });
    step = await http.follow(step.url, { method: 'POST', body });
  }
  throw new Error('the phone never reached the success page');
}
