import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpSmsSender } from './http-sms-sender.js';
import { E164Schema, readSmsEnv, SmsSendError, smsWarnings } from './sms-sender.js';

let server: Server;
let url: string;
let answer: 'ok' | 'fail' | 'hang' = 'ok';
const received: { headers: IncomingHttpHeaders; body: unknown }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(text) });
      if (answer === 'hang') return;
      response.writeHead(answer === 'ok' ? 202 : 502).end('{"echo":"+15551234567"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const message = { tenantId: 'acme', to: '+15551234567', text: '123456 is your Acme sign-in code.' };

describe('the HTTP SMS provider', () => {
  it('posts the documented JSON with the bearer token; any 2xx is sent', async () => {
    answer = 'ok';
    await createHttpSmsSender({ url, token: 'secret-token', timeoutMs: 5000 }).send(message);
    expect(received.at(-1)).toEqual({ headers: expect.objectContaining({ authorization: 'Bearer secret-token', 'content-type': 'application/json' }),
      body: { to: '+15551234567', text: message.text, tenant: 'acme' } });
  });

  it('sends no Authorization header without a token', async () => {
    await createHttpSmsSender({ url, timeoutMs: 5000 }).send(message);
    expect(received.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('fails with sms.send_failed on another status, without the number or text in the error', async () => {
    answer = 'fail';
    const error = await createHttpSmsSender({ url, timeoutMs: 5000 }).send(message).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmsSendError);
    expect((error as SmsSendError).code).toBe('sms.send_failed');
    expect((error as Error).message).toBe('sms.send_failed: status 502');
  });

  it('gives up after the timeout', async () => {
    answer = 'hang';
    const error = await createHttpSmsSender({ url, timeoutMs: 200 }).send(message).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('sms.send_failed: timeout');
  });

  it('reports an unreachable provider', async () => {
    const error = await createHttpSmsSender({ url: 'http://127.0.0.1:9/none', timeoutMs: 2000 }).send(message).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('sms.send_failed: unreachable');
  });
});

describe('SMS settings', () => {
  it('reads TESSERA_SMS_URL and TESSERA_SMS_TOKEN; empty is unset, and warns without a provider', () => {
    expect(readSmsEnv({ TESSERA_SMS_URL: 'https://sms.example.com/send', TESSERA_SMS_TOKEN: 't' })).toEqual({ TESSERA_SMS_URL: 'https://sms.example.com/send', TESSERA_SMS_TOKEN: 't' });
    expect(readSmsEnv({ TESSERA_SMS_URL: ' ' })).toEqual({});
    expect(smsWarnings({})).toEqual([expect.stringContaining('development outbox')]);
    expect(smsWarnings({ TESSERA_SMS_URL: 'https://sms.example.com/send' })).toEqual([]);
    expect(() => readSmsEnv({ TESSERA_SMS_URL: 'ftp://sms.example.com' })).toThrow(/TESSERA_SMS_URL/);
  });

  it('takes phone numbers in E.164 only', () => {
    for (const good of ['+15551234567', '+447700900123', '+4930123456']) expect(E164Schema.safeParse(good).success).toBe(true);
    for (const bad of ['15551234567', '+05551234567', '+1555', '+1234567890123456', '+1 555 123 4567', '+1555123456a']) expect(E164Schema.safeParse(bad).success).toBe(false);
  });
});
