import { SmsSendError, type SmsSender } from './sms-sender.js';

/**
 * An SMS provider behind one HTTP endpoint (docs/mfa.md): `POST {url}` with the JSON body
 * `{ "to": "+15551234567", "text": "…", "tenant": "acme" }` and `Authorization: Bearer {token}`
 * when a token is set. Any 2xx answer means sent; anything else, or no answer within the
 * timeout (5 s), is `sms.send_failed`. Put a small adapter in front of Twilio, Vonage or your
 * operator's API.
 */
export function createHttpSmsSender(options: { url: string; token?: string | undefined; timeoutMs: number }): SmsSender {
  return {
    mode: 'http',
    async send(message) {
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
          body: JSON.stringify({ to: message.to, text: message.text, tenant: message.tenantId }),
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        throw new SmsSendError((error as { name?: string }).name === 'TimeoutError' ? 'timeout' : 'unreachable', { cause: error });
      }
      // The body is not read beyond draining it: providers echo numbers and texts.
      await response.body?.cancel().catch(() => {});
      if (response.status < 200 || response.status > 299) throw new SmsSendError(`status ${response.status}`);
    },
  };
}
