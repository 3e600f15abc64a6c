/**
 * Plivo providers: SMS through the Message API (`POST /v1/Account/{auth_id}/Message/`, JSON
 * `{src, dst, text, url, method}` -> 202 `{api_id, message, message_uuid: [...]}`) and voice through
 * the Call API (`POST /v1/Account/{auth_id}/Call/`, `{from, to, answer_url, answer_method,
 * hangup_url}` -> 201 `{api_id, message, request_uuid}`), Basic auth with the auth id and token.
 * Plivo fetches the call's Plivo XML from `answer_url`: Klaxon serves it (<GetDigits> around <Speak>).
 * Numbers are E.164 without the `+`. Errors are `{api_id, error}`; 4xx except 408/429 is permanent.
 */
import { escapeXml } from '../../render/common.js';
import { renderSms } from '../../render/sms.js';
import { voiceScript } from '../../render/voice.js';
import { ProviderError, type Message, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase, type HttpProviderOptions } from '../http.js';

export { NonceMemory, validatePlivoSignatureV3 } from './signature.js';

export const PLIVO_DEFAULT_BASE_URL = 'https://api.plivo.com';

export interface PlivoClientOptions extends HttpProviderOptions {
  authId: string;
  authToken: string;
  baseUrl?: string;
}

const digits = (e164: string) => e164.replace(/^\+/, '');

export class PlivoClient {
  private readonly base: string;
  private readonly auth: string;
  constructor(private readonly opts: PlivoClientOptions) {
    this.base = trimBase(opts.baseUrl ?? PLIVO_DEFAULT_BASE_URL);
    this.auth = `Basic ${Buffer.from(`${opts.authId}:${opts.authToken}`).toString('base64')}`;
  }

  async post(resource: 'Message' | 'Call', body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await httpRequest(
      `Plivo ${resource}`,
      `${this.base}/v1/Account/${encodeURIComponent(this.opts.authId)}/${resource}/`,
      { method: 'POST', headers: { Authorization: this.auth, 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'Klaxon' }, body: JSON.stringify(body) },
      this.opts,
    );
    const json = ((await readJson(res)) ?? {}) as Record<string, unknown>;
    if (!res.ok) {
      const e = typeof json.error === 'string' ? json.error : typeof json.message === 'string' ? json.message : `HTTP ${res.status}`;
      throw new ProviderError(`Plivo ${resource}: ${e}`, isPermanentHttpStatus(res.status), `http_${res.status}`);
    }
    return json;
  }
}

export class PlivoSmsProvider implements Provider {
  readonly channel = 'sms' as const;
  constructor(
    private readonly client: PlivoClient,
    private readonly opts: { from: string; statusUrl: (id: string) => string },
  ) {}

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const r = await this.client.post('Message', { src: digits(this.opts.from), dst: digits(msg.destination), text: renderSms(msg.message), url: this.opts.statusUrl(msg.id), method: 'POST' });
    const uuid = Array.isArray(r.message_uuid) && typeof r.message_uuid[0] === 'string' ? r.message_uuid[0] : null;
    if (!uuid) throw new ProviderError('Plivo Message: answer without a message_uuid', false, 'plivo_no_uuid');
    return { providerMessageId: uuid, providerStatus: 'queued' };
  }
}

export class PlivoVoiceProvider implements Provider {
  readonly channel = 'voice' as const;
  constructor(
    private readonly client: PlivoClient,
    private readonly opts: { from: string; answerUrl: (id: string) => string; hangupUrl: (id: string) => string },
  ) {}

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const r = await this.client.post('Call', {
      from: digits(this.opts.from),
      to: digits(msg.destination),
      answer_url: this.opts.answerUrl(msg.id),
      answer_method: 'POST',
      hangup_url: this.opts.hangupUrl(msg.id),
      hangup_method: 'POST',
    });
    if (typeof r.request_uuid !== 'string') throw new ProviderError('Plivo Call: answer without a request_uuid', false, 'plivo_no_uuid');
    return { providerMessageId: r.request_uuid, providerStatus: 'queued' };
  }
}

/** Plivo XML for a call: the script inside a one-digit <GetDigits> posting to `digitsUrl`, or spoken then hung up. */
export function renderPlivoXml(message: Message, digitsUrl: string): string {
  const s = voiceScript(message);
  if (!s.gather) return plivoSay(s.text);
  return `<?xml version="1.0" encoding="UTF-8"?><Response><GetDigits action="${escapeXml(digitsUrl)}" method="POST" numDigits="1" timeout="10"><Speak>${escapeXml(s.text)}</Speak></GetDigits><Speak>Goodbye</Speak></Response>`;
}

/** Plivo XML that says `text` and hangs up. */
export function plivoSay(text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Speak>${escapeXml(text)}</Speak><Hangup/></Response>`;
}

export function createPlivoProviders(opts: PlivoClientOptions & { from: string; statusUrl: (id: string) => string; answerUrl: (id: string) => string; hangupUrl: (id: string) => string }): {
  sms: PlivoSmsProvider;
  voice: PlivoVoiceProvider;
} {
  const client = new PlivoClient(opts);
  return {
    sms: new PlivoSmsProvider(client, { from: opts.from, statusUrl: opts.statusUrl }),
    voice: new PlivoVoiceProvider(client, { from: opts.from, answerUrl: opts.answerUrl, hangupUrl: opts.hangupUrl }),
  };
}
