/**
 * Twilio providers: SMS (Programmable Messaging) and voice (Programmable Voice) over the Twilio REST
 * API, as two Provider instances sharing one {@link TwilioClient}. The base URL is configurable, so
 * the same code talks to SignalWire and other Twilio-compatible APIs, and to the local test fake.
 *
 * Every create request carries `Idempotency-Key: <outbox message id>`. Twilio itself ignores this
 * header (its API has no idempotency keys), but Twilio-compatible fakes and proxies may dedup on it;
 * with plain Twilio a crash between "Twilio accepted" and "we recorded it" can still send twice.
 *
 * Errors: Twilio answers `{code, message, more_info, status}`. HTTP 4xx except 429 is permanent
 * (invalid number, bad credentials...); 429, 5xx, timeouts and network errors are temporary.
 */
import { renderSms } from '../../render/sms.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase, type HttpProviderOptions } from '../http.js';

/** Inbound webhook signatures, re-exported for convenience. */
export { computeTwilioSignature, validateTwilioSignature } from './signature.js';

/** Default Twilio REST API base URL. */
export const TWILIO_DEFAULT_BASE_URL = 'https://api.twilio.com';

/** Options of {@link TwilioClient}. */
export interface TwilioClientOptions extends HttpProviderOptions {
  /** Account SID (AC...), also the Basic-auth user. */
  accountSid: string;
  /** Auth token, the Basic-auth password (and the key of inbound webhook signatures). */
  authToken: string;
  /** API base URL (default https://api.twilio.com); e.g. https://example.signalwire.com/api/laml for SignalWire. */
  baseUrl?: string;
}

/** A Twilio resource as answered by the REST API (only the fields Klaxon reads). */
export interface TwilioResource {
  sid: string;
  status: string;
  [field: string]: unknown;
}

/** A URL, or a function of the outbox message id that makes one (to correlate callbacks with messages). */
export type UrlOption = string | ((messageId: string) => string);

/** Minimal Twilio REST client: form-encoded POSTs under /2010-04-01/Accounts/{sid}/ with Basic auth. */
export class TwilioClient {
  private readonly base: string;
  private readonly auth: string;

  /** Creates a client; no request is made until {@link create} is called. */
  constructor(private readonly opts: TwilioClientOptions) {
    this.base = trimBase(opts.baseUrl ?? TWILIO_DEFAULT_BASE_URL);
    this.auth = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
  }

  /** The account SID this client acts for. */
  get accountSid(): string {
    return this.opts.accountSid;
  }

  /** POSTs `form` to `{base}/2010-04-01/Accounts/{sid}/{resource}.json` and returns the created resource. */
  async create(resource: 'Messages' | 'Calls', form: Record<string, string>, idempotencyKey: string): Promise<TwilioResource> {
    const url = `${this.base}/2010-04-01/Accounts/${encodeURIComponent(this.opts.accountSid)}/${resource}.json`;
    const res = await httpRequest(
      `Twilio ${resource}`,
      url,
      {
        method: 'POST',
        headers: {
          Authorization: this.auth,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          'User-Agent': 'Klaxon',
          'Idempotency-Key': idempotencyKey,
        },
        body: new URLSearchParams(form).toString(),
      },
      this.opts,
    );
    const json = await readJson(res);
    if (!res.ok) throw twilioError(resource, res.status, json);
    const body = (json ?? {}) as Partial<TwilioResource>;
    if (typeof body.sid !== 'string') {
      // Accepted (2xx) but unreadable: retry; the idempotency key lets a compatible API dedup it.
      throw new ProviderError(`Twilio ${resource}: unexpected response without a sid (HTTP ${res.status})`, false, `http_${res.status}`);
    }
    return { ...body, sid: body.sid, status: typeof body.status === 'string' ? body.status : 'queued' };
  }
}

/** Builds the ProviderError for a non-2xx Twilio answer. */
export function twilioError(what: string, httpStatus: number, json: unknown): ProviderError {
  const body = (json ?? {}) as { code?: unknown; message?: unknown; more_info?: unknown };
  const code = typeof body.code === 'number' || typeof body.code === 'string' ? String(body.code) : null;
  const message = typeof body.message === 'string' ? body.message : `HTTP ${httpStatus}`;
  return new ProviderError(`Twilio ${what}: ${message}${code ? ` (code ${code})` : ''}`, isPermanentHttpStatus(httpStatus), code ? `twilio_${code}` : `http_${httpStatus}`);
}

/** Options of {@link TwilioSmsProvider}. */
export interface TwilioSmsOptions {
  /** Sender: an E.164 number, short code or messaging service-compatible sender id. */
  from: string;
  /** Optional StatusCallback URL for delivery reports. */
  statusCallback?: UrlOption;
}

/** SMS through Twilio's Messages resource; providerMessageId is the message SID (SM...). */
export class TwilioSmsProvider implements Provider {
  /** Always 'sms'. */
  readonly channel = 'sms' as const;

  /** Uses `client` (shared with the voice provider) to send from `opts.from`. */
  constructor(
    private readonly client: TwilioClient,
    private readonly opts: TwilioSmsOptions,
  ) {}

  /** Renders the message as SMS text and creates a Twilio Message. */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    const form: Record<string, string> = { To: msg.destination, From: this.opts.from, Body: renderSms(msg.message) };
    const cb = resolveUrl(this.opts.statusCallback, msg.id);
    if (cb) form.StatusCallback = cb;
    const r = await this.client.create('Messages', form, msg.id);
    return { providerMessageId: r.sid, providerStatus: r.status };
  }
}

/** Options of {@link TwilioVoiceProvider}. */
export interface TwilioVoiceOptions {
  /** Caller id: an E.164 number owned by the account. */
  from: string;
  /** URL Klaxon serves that answers the call with TwiML for outbox message `messageId` (see renderVoiceTwiml). */
  voiceUrl: (messageId: string) => string;
  /** Optional StatusCallback URL for call progress. */
  statusCallback?: UrlOption;
  /** Seconds to let the phone ring before giving up (Twilio's `Timeout`, default Twilio's 60). */
  ringTimeoutSec?: number;
}

/** Voice calls through Twilio's Calls resource; Twilio fetches the TwiML from `voiceUrl(id)`. providerMessageId is the call SID (CA...). */
export class TwilioVoiceProvider implements Provider {
  /** Always 'voice'. */
  readonly channel = 'voice' as const;

  /** Uses `client` (shared with the SMS provider) to call from `opts.from`. */
  constructor(
    private readonly client: TwilioClient,
    private readonly opts: TwilioVoiceOptions,
  ) {}

  /** Starts an outbound call whose TwiML Klaxon serves at voiceUrl(msg.id). */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    const form: Record<string, string> = {
      To: msg.destination,
      From: this.opts.from,
      Url: this.opts.voiceUrl(msg.id),
      Method: 'POST',
    };
    if (this.opts.ringTimeoutSec !== undefined) form.Timeout = String(this.opts.ringTimeoutSec);
    const cb = resolveUrl(this.opts.statusCallback, msg.id);
    if (cb) {
      form.StatusCallback = cb;
      form.StatusCallbackMethod = 'POST';
    }
    const r = await this.client.create('Calls', form, msg.id);
    return { providerMessageId: r.sid, providerStatus: r.status };
  }
}

/** Options of {@link createTwilioProviders}. */
export interface TwilioProvidersOptions extends TwilioClientOptions {
  sms: TwilioSmsOptions;
  voice: TwilioVoiceOptions;
}

/** Builds one shared client and the SMS and voice providers on top of it. */
export function createTwilioProviders(opts: TwilioProvidersOptions): {
  client: TwilioClient;
  sms: TwilioSmsProvider;
  voice: TwilioVoiceProvider;
} {
  const client = new TwilioClient(opts);
  return { client, sms: new TwilioSmsProvider(client, opts.sms), voice: new TwilioVoiceProvider(client, opts.voice) };
}

function resolveUrl(opt: UrlOption | undefined, messageId: string): string | undefined {
  if (opt === undefined) return undefined;
  return typeof opt === 'string' ? opt : opt(messageId);
}

/** WhatsApp through Twilio's Messages resource: `To` and `From` in the `whatsapp:+E164` form, the SMS text (with its reply codes). */
export class TwilioWhatsAppProvider implements Provider {
  /** Always 'whatsapp'. */
  readonly channel = 'whatsapp' as const;

  /** Uses `client` (shared with SMS and voice) to send from the WhatsApp sender `opts.from` (E.164). */
  constructor(
    private readonly client: TwilioClient,
    private readonly opts: TwilioSmsOptions,
  ) {}

  /** Renders the message as text and creates a Twilio Message to `whatsapp:<destination>`. */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    const form: Record<string, string> = { To: `whatsapp:${msg.destination}`, From: `whatsapp:${this.opts.from}`, Body: renderSms(msg.message) };
    const cb = resolveUrl(this.opts.statusCallback, msg.id);
    if (cb) form.StatusCallback = cb;
    const r = await this.client.create('Messages', form, msg.id);
    return { providerMessageId: r.sid, providerStatus: r.status };
  }
}
