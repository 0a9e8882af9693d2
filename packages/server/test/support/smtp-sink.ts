import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A received mail with the parts tests assert on, flattened. */
export interface ReceivedMail {
  /** Addresses of the To header, lower-cased. */
  to: string[];
  /** The From header: display name ('' if none) and address. */
  from: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** The SMTP envelope (MAIL FROM / RCPT TO), which is where the mail really went. */
  envelope: { from: string; to: string[] };
  parsed: ParsedMail;
}

export type MailPredicate = (mail: ReceivedMail) => boolean;

export interface SmtpSink {
  /** `smtp://127.0.0.1:PORT`, for TESSERA_SMTP_URL. */
  url: string;
  /** Every mail received, in order of arrival. */
  messages: ParsedMail[];
  /**
   * The first mail that matches and was not returned by an earlier call, received already or
   * arriving within `timeoutMs` (event-driven: resolves the moment it arrives). Each mail is
   * returned once, so waiting twice for `{ to }` yields the first mail, then the second.
   */
  waitForMail(match: MailPredicate | { to: string }, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((object) => object.value.map((entry) => (entry.address ?? '').toLowerCase()));
}

function toReceivedMail(parsed: ParsedMail, envelope: ReceivedMail['envelope']): ReceivedMail {
  return {
    to: addressesOf(parsed.to), from: { name: parsed.from?.value[0]?.name ?? '', address: parsed.from?.value[0]?.address ?? '' }, subject: parsed.subject ?? '',
    text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', envelope, parsed,
  };
}

/**
 * A real SMTP server on 127.0.0.1 for tests: any sender, any recipient, no auth required
 * (but accepted), no TLS. Mail is parsed with mailparser as it arrives.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const claimed = new Set<ReceivedMail>();
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(100);
  const server = new SMTPServer({
    secure: false, authOptional: true, disabledCommands: ['STARTTLS'], logger: false, size: 10 * 1024 * 1024,
    // A client that keeps its connection (a pooled mailer not yet closed) is cut after a second.
    closeTimeout: 1000,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'test' }),
    onData(stream, session, callback) {
      simpleParser(stream).then((parsed) => {
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
        };
        const mail = toReceivedMail(parsed, envelope);
        received.push(mail);
        arrivals.emit('mail', mail);
        callback();
      }, (error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  function claim(predicate: MailPredicate, mail: ReceivedMail): boolean {
    if (claimed.has(mail) || !predicate(mail)) return false;
    claimed.add(mail);
    return true;
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    get messages() { return received.map((mail) => mail.parsed); },
    waitForMail(match, timeoutMs = 5000) {
      const predicate: MailPredicate = typeof match === 'function'
        ? match
        : (mail) => mail.to.includes(match.to.toLowerCase()) || mail.envelope.to.includes(match.to.toLowerCase());
      const ready = received.find((mail) => claim(predicate, mail));
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const onMail = (mail: ReceivedMail) => {
          if (!claim(predicate, mail)) return;
          clearTimeout(timer);
          arrivals.off('mail', onMail);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          arrivals.off('mail', onMail);
          reject(new Error(`smtp-sink: no matching mail within ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        arrivals.on('mail', onMail);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>' };

/**
 * The links of a mail, in order, without repeats: every `href` of the HTML part (entities
 * decoded) and every http(s) URL in the text part.
 */
export function linksIn(mail: Pick<ReceivedMail, 'html' | 'text'>): string[] {
  const fromHtml = [...mail.html.matchAll(/\bhref\s*=\s*"([^"]*)"/gi)]
    .map((match) => (match[1] ?? '').replace(/&(amp|quot|#39|lt|gt);/g, (entity) => ENTITIES[entity] ?? entity));
  const fromText = [...mail.text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((match) => match[0].replace(/[.,;:!?)]+$/, ''));
  return [...new Set([...fromHtml, ...fromText])];
}
