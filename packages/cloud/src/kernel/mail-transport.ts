import type { Transporter } from 'nodemailer';
import type { Logger } from './logger.js';

/**
 * The SMTP server a cloud sends real email through. The URL usually carries a password: it is never
 * logged nor put in an error message.
 */
export interface SmtpSettings {
  /** `smtp://user:pass@host:587` (upgraded with STARTTLS when the server offers it) or `smtps://…` (TLS from the start). */
  url: string;
  /** The From header of every message, e.g. `Forte <no-reply@example.com>`. */
  from: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Real email delivery, a kernel facility so that any service can send mail. Sending happens in the
 * background: the request that caused a message never waits for (or fails because of) the SMTP server.
 */
export interface MailSender {
  /** Queues the message and returns at once. A failed delivery is logged as a warning. */
  send(mail: OutgoingMail): void;
  /** Waits for queued messages (bounded), gives up on the rest and closes the connection. */
  close(): Promise<void>;
}

/** One `local@domain` address, nothing nodemailer would read as a list, a display name or a group. */
const SINGLE_ADDRESS = /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+$/;

/** How long close() waits for messages still being sent before abandoning them. */
const CLOSE_GRACE_MS = 5000;

/**
 * A MailSender over SMTP (nodemailer). Timeouts are shorter than nodemailer's defaults (minutes): a
 * verification code that takes longer than that is useless anyway. Options in the URL's query string
 * (`?tls.rejectUnauthorized=false`, `?pool=true`, ...) are nodemailer's and win over these.
 */
export function createSmtpMailSender(settings: SmtpSettings, log: Logger, options: { closeGraceMs?: number } = {}): MailSender {
  const problem = smtpUrlProblem(settings.url);
  if (problem) throw new Error(`smtp.url ${problem}`);
  // nodemailer (and node's tls and https under it) loads with the first message, not with every cloud:
  // most clouds send none, and it is a tenth of the cloud's start-up (docs/benchmarks.md, "Start-up").
  let transport: Promise<Transporter> | undefined;
  const transporter = (): Promise<Transporter> =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({ url: settings.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }),
    ));
  const abort = new AbortController();
  const pending = new Set<Promise<void>>();
  let closed = false;

  return {
    send(mail) {
      if (closed) {
        log.warn('email not sent: the cloud is stopping', { recipientDomain: domainOf(mail.to) });
        return;
      }
      // Addresses come from users (sign-up attributes): a list like `a@x, b@y` must not fan out.
      if (!SINGLE_ADDRESS.test(mail.to)) {
        log.warn('email not sent: the recipient is not one plain address', { recipientDomain: domainOf(mail.to) });
        return;
      }
      const sending = transporter()
        .then((t) => t.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text, signal: abort.signal }))
        .then(
          () => log.debug('email sent', { recipientDomain: domainOf(mail.to) }),
          // Only the error's code: its message may quote the server's reply, and the mail holds a code.
          (error: unknown) => log.warn('email delivery failed', { recipientDomain: domainOf(mail.to), ...smtpErrorFields(error) }),
        )
        .finally(() => pending.delete(sending));
      pending.add(sending);
    },
    async close() {
      closed = true;
      if (pending.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.closeGraceMs ?? CLOSE_GRACE_MS)));
        await Promise.race([Promise.allSettled([...pending]), grace]);
        clearTimeout(timer);
        abort.abort();
        await Promise.allSettled([...pending]);
      }
      if (transport) (await transport.catch(() => undefined))?.close();
    },
  };
}

/**
 * What is wrong with an SMTP URL, or undefined when it is usable. The answer never quotes the URL (it
 * may hold a password).
 */
export function smtpUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL: write it like smtp://user:password@host:587 or smtps://user:password@host:465';
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') return `must start with smtp:// or smtps://, not ${parsed.protocol}//`;
  if (parsed.hostname === '') return 'has no host name: write it like smtp://user:password@host:587';
  return undefined;
}

/** The server of an SMTP URL without its credentials (`smtp://host:587`), fit for a log line. */
export function smtpServerOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

/** The part of an address after the `@`: enough to tell which provider refused, without naming the person. */
function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1) : '(no domain)';
}

function smtpErrorFields(error: unknown): { code: string; responseCode?: number } {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  return { code: typeof code === 'string' ? code : 'UNKNOWN', ...(typeof responseCode === 'number' ? { responseCode } : {}) };
}
