/**
 * Fake SMTP server for tests: a real smtp-server listening on 127.0.0.1 (random port), no TLS, no
 * auth required. It accepts every mail, parses it with mailparser and records it in `messages`.
 *
 *   const smtp = new FakeSmtpServer();
 *   const { url } = await smtp.start();          // smtp://127.0.0.1:<port>, hand to EmailProvider
 *   ...
 *   const mail = await smtp.waitFor((m) => m.to.includes('ada@example.com'));
 *   await smtp.close();
 *
 * Failure behaviour: `failNext(n, code, message)` makes the next n RCPT TO commands fail with that
 * SMTP reply (e.g. 550 permanent, 451 temporary); nothing is recorded for them.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { RecordLog } from './util.js';

/** A mail as the fake received it. */
export interface FakeMail {
  /** Envelope recipients (RCPT TO), lower-cased. */
  to: string[];
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Header From / To as text. */
  headerFrom: string;
  headerTo: string;
  subject: string;
  text: string;
  html: string;
  /** Message-ID header, angle brackets included. */
  messageId: string;
  /** Every header, lower-case name -> value as text. */
  headers: Record<string, string>;
}

/** A recorded SMTP failure to inject. */
interface InjectedFailure {
  code: number;
  message: string;
}

/** Real SMTP server that records every mail it is given. */
export class FakeSmtpServer {
  private readonly log = new RecordLog<FakeMail>('FakeSmtpServer');
  private readonly failures: InjectedFailure[] = [];
  private server: SMTPServer | null = null;

  /** Every mail received, in arrival order. */
  get messages(): FakeMail[] {
    return this.log.items;
  }

  /** Starts listening on 127.0.0.1:0; resolves with the smtp:// URL and port. */
  async start(): Promise<{ url: string; port: number }> {
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      hideSTARTTLS: true,
      closeTimeout: 200,
      disableReverseLookup: true,
      onRcptTo: (_address, _session, callback) => {
        const f = this.failures.shift();
        if (f) {
          const err = new Error(f.message) as Error & { responseCode: number };
          err.responseCode = f.code;
          callback(err);
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const headers: Record<string, string> = {};
            for (const line of parsed.headerLines) {
              headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
            }
            const mail: FakeMail = {
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              headerFrom: addressText(parsed.from),
              headerTo: addressText(parsed.to),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
              headers,
            };
            this.log.push(mail);
            callback();
          })
          .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
      },
    });
    server.on('error', () => undefined);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.server.address() as AddressInfo).port;
    return { url: `smtp://127.0.0.1:${port}`, port };
  }

  /** Makes the next `n` recipients fail with SMTP reply `code` (550 -> permanent, 451 -> temporary). */
  failNext(n: number, code = 550, message = 'Mailbox unavailable'): void {
    for (let i = 0; i < n; i++) this.failures.push({ code, message });
  }

  /** Resolves with the first recorded (or future) mail matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (m: FakeMail) => boolean = () => true, timeoutMs = 5000): Promise<FakeMail> {
    return this.log.waitFor(predicate, timeoutMs);
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function addressText(a: AddressObject | AddressObject[] | undefined): string {
  if (!a) return '';
  return Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text;
}
