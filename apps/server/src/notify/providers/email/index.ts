/**
 * Email provider: SMTP through nodemailer. Configured with a connection URL (`smtp://host:port`,
 * `smtps://user:pass@host:465`) and a From address. Each message gets a stable Message-ID derived from
 * the outbox id, so a resend after a crash is recognisable as the same mail by clients that dedup on it.
 * Errors: an SMTP 5xx reply (except 503) is permanent, 4xx / connection / timeout errors are temporary.
 */
import { createTransport, type Mail, type SMTPSentMessageInfo, type SMTPTransportOptions } from 'nodemailer';
import { renderEmail } from '../../render/email.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';

/**
 * Default SMTP timeouts (ms): to connect, for the server's greeting, and of silence on the socket
 * once talking. A server that accepts connections and never answers fails a send after 5 s (a
 * temporary failure, retried with backoff); it only ever holds the e-mail channel's own slots.
 */
export const SMTP_TIMEOUTS = { connection: 5_000, greeting: 5_000, socket: 15_000 } as const;

/** Options of {@link EmailProvider}. */
export interface EmailProviderOptions {
  /** SMTP connection URL, e.g. `smtp://127.0.0.1:2525` or `smtps://user:pass@mail.example.com`. */
  url: string;
  /** From address, e.g. `Klaxon <klaxon@example.com>`. */
  from: string;
  /** Domain used on the right of generated Message-IDs (default: the From address's domain, else `klaxon.local`). */
  messageIdDomain?: string;
  /** Connection, greeting and socket (idle) timeouts in ms (default 5 s / 5 s / 15 s). */
  timeouts?: { connection?: number; greeting?: number; socket?: number };
  /** Extra nodemailer SMTP transport options (TLS, pool, auth...), merged over the URL's. */
  transport?: SMTPTransportOptions;
}

/** Sends email over SMTP; providerMessageId is the Message-ID, providerStatus 'accepted'. */
export class EmailProvider implements Provider {
  /** Always 'email'. */
  readonly channel = 'email' as const;
  private readonly transporter: Mail<SMTPSentMessageInfo, SMTPTransportOptions>;
  private readonly idDomain: string;

  /** Creates the transport; nothing connects until the first send. */
  constructor(private readonly opts: EmailProviderOptions) {
    this.transporter = createTransport({
      url: opts.url,
      connectionTimeout: opts.timeouts?.connection ?? SMTP_TIMEOUTS.connection,
      greetingTimeout: opts.timeouts?.greeting ?? SMTP_TIMEOUTS.greeting,
      socketTimeout: opts.timeouts?.socket ?? SMTP_TIMEOUTS.socket,
      ...opts.transport,
    });
    this.idDomain = opts.messageIdDomain ?? domainOf(opts.from) ?? 'klaxon.local';
  }

  /** Renders and sends one message; throws ProviderError on failure. */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    const { subject, text, html, headers: extra } = renderEmail(msg.message);
    let info: SMTPSentMessageInfo;
    try {
      info = await this.transporter.sendMail({
        from: this.opts.from,
        to: msg.destination,
        subject,
        text,
        html,
        messageId: `<${sanitizeIdPart(msg.id)}@${this.idDomain}>`,
        priority: msg.message.kind === 'page' ? 'high' : 'normal',
        headers: {
          // RFC 3834: an automatic message; well-behaved auto-responders do not answer it.
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
          'X-Klaxon-Message-Id': msg.id,
          ...extra,
        },
      });
    } catch (err) {
      throw toProviderError(err);
    }
    if (info.rejected.length > 0 && info.accepted.length === 0) {
      throw new ProviderError(`SMTP server rejected ${info.rejected.join(', ')}`, true, 'rejected');
    }
    return { providerMessageId: info.serverMessageId ?? info.messageId, providerStatus: 'accepted' };
  }

  /** Closes pooled connections (if any). */
  close(): void {
    this.transporter.close();
  }
}

/** Maps a nodemailer error to a ProviderError: SMTP 5xx (not 503) and bad envelopes are permanent, the rest temporary. */
export function toProviderError(err: unknown): ProviderError {
  const e = (err ?? {}) as { message?: string; code?: string; responseCode?: number; permanent?: boolean; response?: string };
  const message = `SMTP: ${e.response ?? e.message ?? String(err)}`;
  if (typeof e.responseCode === 'number') {
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503);
    return new ProviderError(message, permanent, `smtp_${e.responseCode}`);
  }
  // No SMTP reply: the message itself is unusable (no/invalid recipients) or the connection failed.
  const permanent = e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || e.code === 'ECONFIG';
  return new ProviderError(message, permanent, e.code ? e.code.toLowerCase() : 'error');
}

function domainOf(address: string): string | null {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(address);
  return m?.[1] ?? null;
}

function sanitizeIdPart(id: string): string {
  return `klaxon.${id.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}
