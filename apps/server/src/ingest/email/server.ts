/**
 * Email in: Klaxon's built-in SMTP listener (smtp-server from Nodemailer, messages read with
 * mailparser). Each integration of kind `email` has the address `<integration key>@<domain>`.
 * Unknown addresses are refused at RCPT TO (550), messages over the size limit with 552 (at MAIL FROM
 * when the client announces a SIZE, else after DATA). A message is answered 250 only after its alert
 * is committed through the one ingest entry; if that fails the answer is 451 and the sender retries,
 * so an accepted message is never lost. Each address has the HTTP ingest's per-integration rate limit
 * (the integration's `rateLimitPerMinute`, else KLAXON_INGEST_RATE_LIMIT_PER_MINUTE): a recipient over
 * it is refused at RCPT TO with 451 (try again later), counted as rejected `rate_limited`.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Actor } from '../../auth/actor.js';
import type { AlertIngest } from '../../alert/service.js';
import type { Ctx } from '../../context.js';
import { eventsIngested, eventsRejected } from '../../lib/metrics.js';
import { RateLimiter } from '../../lib/rate-limit.js';
import { IntegrationKeyCache } from '../../service/key-cache.js';
import { emailToEvent, type ReceivedEmail } from './parse.js';

/** How the listener is set up (KLAXON_INBOUND_SMTP_*, see docs/configuration.md). */
export interface InboundSmtpConfig {
  host: string;
  port: number;
  /** The domain part of every integration address. */
  domain: string;
  /** Largest message accepted, in bytes. */
  maxBytes: number;
  /** PEM key and certificate: STARTTLS is offered only with them. */
  tls?: { key: Buffer; cert: Buffer };
  /** Messages a minute per integration address when the integration sets none (KLAXON_INGEST_RATE_LIMIT_PER_MINUTE). */
  defaultRateLimitPerMinute?: number;
}

/** An SMTP error with the reply code the client gets. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** The integration key an address names, when its domain is ours; undefined otherwise. */
export function keyOfAddress(address: string, domain: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  if (address.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return undefined;
  return address.slice(0, at);
}

function addressText(a: AddressObject | AddressObject[] | undefined): string | undefined {
  if (!a) return undefined;
  const list = Array.isArray(a) ? a : [a];
  return list.map((x) => x.text).join(', ') || undefined;
}

/** The running listener. */
export interface InboundSmtp {
  port: number;
  close(): Promise<void>;
}

/** Starts the SMTP listener; `onConfigChange` clears the address cache when integrations change. */
export async function startInboundSmtp(ctx: Ctx, ingest: AlertIngest, config: InboundSmtpConfig, onConfigChange?: (listener: () => void) => void): Promise<InboundSmtp> {
  const keys = new IntegrationKeyCache(ctx.clock);
  const limiter = new RateLimiter(ctx.clock);
  const defaultPerMinute = config.defaultRateLimitPerMinute ?? 60_000;
  onConfigChange?.(() => keys.clear());

  async function lookup(address: string) {
    const key = keyOfAddress(address, config.domain);
    if (key === undefined || key === '') return undefined;
    const found = await keys.find(ctx.db.kysely, key);
    return found && found.integration.kind === 'email' ? found : undefined;
  }

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const parsed = await simpleParser(stream, { skipImageLinks: true, skipHtmlToText: false });
    if (stream.sizeExceeded) return; // answered 552 by the server (rejectOversized)
    const mail: ReceivedEmail = {
      subject: parsed.subject,
      text: parsed.text,
      from: addressText(parsed.from) ?? (session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined),
      messageId: parsed.messageId,
      headers: parsed.headerLines.map((h) => ({ key: h.key, line: h.line })),
      date: parsed.date?.getTime(),
    };
    const event = emailToEvent(mail);
    // Each recipient is an integration: the message raises one alert on each (looked up again, in case one was deleted since RCPT TO).
    for (const rcpt of session.envelope.rcptTo) {
      const found = await lookup(rcpt.address);
      if (!found) continue;
      const actor: Actor = { type: 'integration', id: found.integration.id, name: found.integration.name, serviceId: found.service.id };
      const results = await ingest.ingest(actor, { integration: found.integration, service: found.service, events: [event] });
      for (const r of results) eventsIngested.inc({ kind: 'email', outcome: r.outcome });
    }
  }

  const server = new SMTPServer({
    name: config.domain,
    banner: 'Klaxon inbound email',
    size: config.maxBytes,
    rejectOversized: true,
    authOptional: true,
    disabledCommands: config.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    hideSTARTTLS: !config.tls,
    ...(config.tls && { key: config.tls.key, cert: config.tls.cert }),
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      lookup(address.address).then(
        (found) => {
          if (found) {
            const perMinute = found.integration.settings.rateLimitPerMinute ?? defaultPerMinute;
            if (limiter.take(found.integration.id, perMinute)) return callback();
            // Over the address's rate limit: a temporary refusal, so the sending server keeps the message and retries later.
            eventsRejected.inc({ kind: 'email', reason: 'rate_limited' });
            return callback(smtpError(451, `4.7.1 Rate limit of ${perMinute} messages a minute for ${address.address} exceeded; try again later`));
          }
          eventsRejected.inc({ kind: 'email', reason: 'unknown_key' });
          callback(smtpError(550, `No such integration address: ${address.address}`));
        },
        (err: unknown) => {
          ctx.log.error({ err }, 'inbound email: could not look up a recipient');
          callback(smtpError(451, 'Temporary failure looking up the recipient; try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        () => callback(),
        (err: unknown) => {
          // Not committed: a temporary failure, so the sending server keeps the message and retries.
          stream.resume();
          ctx.log.error({ err }, 'inbound email: message not stored');
          callback(smtpError(451, 'The message could not be stored; try again later'));
        },
      );
    },
  });
  server.on('error', (err) => ctx.log.warn({ err }, 'inbound email: SMTP error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
