/**
 * Vonage providers: SMS through the Messages API (`POST /v1/messages`, Basic auth with the API key
 * and secret, `{message_type: "text", channel: "sms", to, from, text, client_ref}` -> 202
 * `{message_uuid}`) and voice through the Voice API (`POST /v1/calls` with a JWT signed RS256 by the
 * application's private key, the call script given inline as an NCCO: `talk` then a one-digit DTMF
 * `input` whose `eventUrl` Klaxon serves). Vonage numbers are E.164 without the `+`.
 *
 * `client_ref` carries the outbox id, so delivery-status webhooks name the message they are about;
 * the call's `event_url` carries it in its query. Errors: Vonage answers RFC 7807 problem JSON
 * (`{type, title, detail, instance}`); 4xx except 408/429 is permanent, the rest temporary.
 */
import { importPKCS8, SignJWT } from 'jose';
import { renderSms } from '../../render/sms.js';
import { voiceScript } from '../../render/voice.js';
import { ProviderError, type Message, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase, type HttpProviderOptions } from '../http.js';
import { must } from '../../../lib/must.js';

export { checkVonageWebhook } from './signature.js';

/** Default Vonage API base URL. */
export const VONAGE_DEFAULT_BASE_URL = 'https://api.nexmo.com';

/** Options of {@link VonageClient}. */
export interface VonageClientOptions extends HttpProviderOptions {
  apiKey: string;
  apiSecret: string;
  /** API base URL (default https://api.nexmo.com). */
  baseUrl?: string;
  /** Voice: the Vonage application id and its private key (PKCS#8 PEM); without them there is no voice. */
  applicationId?: string;
  privateKey?: string;
}

/** The number in Vonage's form: E.164 digits without the `+`. */
export function vonageNumber(e164: string): string {
  return e164.replace(/^\+/, '');
}

/** Minimal Vonage client: Messages API (Basic auth) and Voice API (application JWT). */
export class VonageClient {
  private readonly base: string;
  private readonly basic: string;
  private key: Promise<CryptoKey> | null = null;

  constructor(private readonly opts: VonageClientOptions) {
    this.base = trimBase(opts.baseUrl ?? VONAGE_DEFAULT_BASE_URL);
    this.basic = `Basic ${Buffer.from(`${opts.apiKey}:${opts.apiSecret}`).toString('base64')}`;
  }

  /** Whether voice is configured (an application id and private key). */
  get hasVoice(): boolean {
    return !!(this.opts.applicationId && this.opts.privateKey);
  }

  /** POSTs JSON to `{base}{path}`; returns the answer's JSON, or throws a ProviderError. */
  async post(what: string, path: string, body: unknown, auth: string): Promise<Record<string, unknown>> {
    const res = await httpRequest(
      `Vonage ${what}`,
      `${this.base}${path}`,
      { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'Klaxon' }, body: JSON.stringify(body) },
      this.opts,
    );
    const json = await readJson(res);
    if (!res.ok) throw vonageError(what, res.status, json);
    return (json ?? {}) as Record<string, unknown>;
  }

  /** Sends an SMS through the Messages API; returns the message_uuid. */
  async sendSms(to: string, from: string, text: string, clientRef: string): Promise<string> {
    const r = await this.post('Messages', '/v1/messages', { message_type: 'text', channel: 'sms', to: vonageNumber(to), from: vonageNumber(from), text, client_ref: clientRef }, this.basic);
    if (typeof r.message_uuid !== 'string') throw new ProviderError('Vonage Messages: answer without a message_uuid', false, 'vonage_no_uuid');
    return r.message_uuid;
  }

  /** Starts a call through the Voice API; returns the call's uuid and status. */
  async createCall(body: Record<string, unknown>): Promise<{ uuid: string; status: string }> {
    const r = await this.post('Voice', '/v1/calls', body, `Bearer ${await this.appJwt()}`);
    if (typeof r.uuid !== 'string') throw new ProviderError('Vonage Voice: answer without a call uuid', false, 'vonage_no_uuid');
    return { uuid: r.uuid, status: typeof r.status === 'string' ? r.status : 'started' };
  }

  /** A short-lived application JWT (RS256 with the application's private key), as Vonage documents for the Voice API. */
  private async appJwt(): Promise<string> {
    if (!this.hasVoice) throw new ProviderError('Vonage Voice: set KLAXON_VONAGE_APPLICATION_ID and KLAXON_VONAGE_PRIVATE_KEY', true, 'vonage_no_application');
    this.key ??= importPKCS8(must(this.opts.privateKey, 'this.opts.privateKey'), 'RS256');
    let key: CryptoKey;
    try {
      key = await this.key;
    } catch {
      this.key = null;
      throw new ProviderError('Vonage Voice: KLAXON_VONAGE_PRIVATE_KEY is not a PKCS#8 PEM private key', true, 'vonage_bad_key');
    }
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ application_id: must(this.opts.applicationId, 'this.opts.applicationId') })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .setJti(crypto.randomUUID())
      .sign(key);
  }
}

/** The ProviderError for a non-2xx Vonage answer (RFC 7807 problem details). */
export function vonageError(what: string, status: number, json: unknown): ProviderError {
  const b = (json ?? {}) as { title?: unknown; detail?: unknown; type?: unknown };
  const text = [b.title, b.detail].filter((x): x is string => typeof x === 'string').join(': ') || `HTTP ${status}`;
  return new ProviderError(`Vonage ${what}: ${text}`, isPermanentHttpStatus(status), `http_${status}`);
}

/** SMS through the Vonage Messages API; providerMessageId is the message_uuid. */
export class VonageSmsProvider implements Provider {
  readonly channel = 'sms' as const;
  constructor(
    private readonly client: VonageClient,
    private readonly opts: { from: string },
  ) {}

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const uuid = await this.client.sendSms(msg.destination, this.opts.from, renderSms(msg.message), msg.id);
    return { providerMessageId: uuid, providerStatus: 'submitted' };
  }
}

/** The NCCO of a call: the script spoken, then (pages, verification) one DTMF key posted to `inputUrl`. */
export function renderNcco(message: Message, inputUrl: string): Record<string, unknown>[] {
  const s = voiceScript(message);
  const talk = { action: 'talk', text: s.text };
  if (!s.gather) return [talk];
  return [
    { ...talk, bargeIn: true },
    { action: 'input', type: ['dtmf'], dtmf: { maxDigits: 1, timeOut: 10 }, eventUrl: [inputUrl], eventMethod: 'POST' },
    { action: 'talk', text: 'Goodbye' },
  ];
}

/** The NCCO that says `text` and ends the call (the answer to a key press). */
export function nccoSay(text: string): Record<string, unknown>[] {
  return [{ action: 'talk', text }];
}

/** Options of {@link VonageVoiceProvider}. */
export interface VonageVoiceOptions {
  from: string;
  /** URL Vonage posts the pressed key to, for outbox message `id`. */
  inputUrl: (messageId: string) => string;
  /** URL Vonage posts call events to, for outbox message `id`. */
  eventUrl: (messageId: string) => string;
  /** Seconds to let the phone ring (Vonage's `ringing_timer`). */
  ringTimeoutSec?: number;
}

/** Voice calls through the Vonage Voice API with an inline NCCO; providerMessageId is the call uuid. */
export class VonageVoiceProvider implements Provider {
  readonly channel = 'voice' as const;
  constructor(
    private readonly client: VonageClient,
    private readonly opts: VonageVoiceOptions,
  ) {}

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const r = await this.client.createCall({
      to: [{ type: 'phone', number: vonageNumber(msg.destination) }],
      from: { type: 'phone', number: vonageNumber(this.opts.from) },
      ncco: renderNcco(msg.message, this.opts.inputUrl(msg.id)),
      event_url: [this.opts.eventUrl(msg.id)],
      event_method: 'POST',
      ...(this.opts.ringTimeoutSec !== undefined && { ringing_timer: this.opts.ringTimeoutSec }),
    });
    return { providerMessageId: r.uuid, providerStatus: r.status };
  }
}

/** One client, the SMS provider, and the voice provider when an application is configured. */
export function createVonageProviders(opts: VonageClientOptions & { from: string; voice: Omit<VonageVoiceOptions, 'from'> }): { sms: VonageSmsProvider; voice: VonageVoiceProvider | null } {
  const client = new VonageClient(opts);
  return { sms: new VonageSmsProvider(client, { from: opts.from }), voice: client.hasVoice ? new VonageVoiceProvider(client, { from: opts.from, ...opts.voice }) : null };
}
