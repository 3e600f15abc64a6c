/**
 * Telnyx providers: SMS through the Messaging API (`POST /v2/messages`, `{from, to, text,
 * webhook_url}` -> `{data: {id, to: [{status}]}}`) and voice through Call Control (`POST /v2/calls`,
 * `{connection_id, to, from, webhook_url, client_state}` -> `{data: {call_control_id}}`); Bearer
 * auth with the API key; numbers in E.164 with the `+`. Call Control drives the call by commands
 * Klaxon sends when Telnyx reports events (answered: `gather_using_speak`; a key: `speak`; spoken:
 * `hangup`), see http/routes/sms-providers.ts. Errors are `{errors: [{code, title, detail}]}`.
 */
import { renderSms } from '../../render/sms.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase, type HttpProviderOptions } from '../http.js';

export { checkTelnyxWebhook, telnyxPublicKey } from './signature.js';

export const TELNYX_DEFAULT_BASE_URL = 'https://api.telnyx.com';

export interface TelnyxClientOptions extends HttpProviderOptions {
  apiKey: string;
  baseUrl?: string;
}

export class TelnyxClient {
  private readonly base: string;
  constructor(private readonly opts: TelnyxClientOptions) {
    this.base = trimBase(opts.baseUrl ?? TELNYX_DEFAULT_BASE_URL);
  }

  async post(what: string, path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await httpRequest(
      `Telnyx ${what}`,
      `${this.base}${path}`,
      { method: 'POST', headers: { Authorization: `Bearer ${this.opts.apiKey}`, 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'Klaxon' }, body: JSON.stringify(body) },
      this.opts,
    );
    const json = ((await readJson(res)) ?? {}) as { data?: Record<string, unknown>; errors?: { code?: unknown; title?: unknown; detail?: unknown }[] };
    if (!res.ok) {
      const e = json.errors?.[0];
      const text = e ? [e.title, e.detail].filter((x) => typeof x === 'string').join(': ') : `HTTP ${res.status}`;
      throw new ProviderError(`Telnyx ${what}: ${text || `HTTP ${res.status}`}`, isPermanentHttpStatus(res.status), typeof e?.code === 'string' ? `telnyx_${e.code}` : `http_${res.status}`);
    }
    return json.data ?? {};
  }

  /** A Call Control command on a live call (`POST /v2/calls/{call_control_id}/actions/{action}`). */
  async command(callControlId: string, action: 'gather_using_speak' | 'speak' | 'hangup', body: Record<string, unknown>): Promise<void> {
    await this.post(`Call Control ${action}`, `/v2/calls/${encodeURIComponent(callControlId)}/actions/${action}`, body);
  }
}

export class TelnyxSmsProvider implements Provider {
  readonly channel = 'sms' as const;
  constructor(
    private readonly client: TelnyxClient,
    private readonly opts: { from: string; webhookUrl: (id: string) => string },
  ) {}

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const d = await this.client.post('Messages', '/v2/messages', { from: this.opts.from, to: msg.destination, text: renderSms(msg.message), webhook_url: this.opts.webhookUrl(msg.id) });
    if (typeof d.id !== 'string') throw new ProviderError('Telnyx Messages: answer without a message id', false, 'telnyx_no_id');
    const to = Array.isArray(d.to) ? (d.to[0] as { status?: unknown } | undefined) : undefined;
    return { providerMessageId: d.id, providerStatus: typeof to?.status === 'string' ? to.status : 'queued' };
  }
}

export class TelnyxVoiceProvider implements Provider {
  readonly channel = 'voice' as const;
  constructor(
    private readonly client: TelnyxClient,
    private readonly opts: { from: string; connectionId: string; webhookUrl: (id: string) => string },
  ) {}

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const d = await this.client.post('Calls', '/v2/calls', {
      connection_id: this.opts.connectionId,
      to: msg.destination,
      from: this.opts.from,
      webhook_url: this.opts.webhookUrl(msg.id),
      client_state: Buffer.from(msg.id).toString('base64'),
    });
    if (typeof d.call_control_id !== 'string') throw new ProviderError('Telnyx Calls: answer without a call_control_id', false, 'telnyx_no_id');
    return { providerMessageId: d.call_control_id, providerStatus: 'initiated' };
  }
}

export function createTelnyxProviders(opts: TelnyxClientOptions & { from: string; connectionId?: string; webhookUrl: (id: string) => string }): {
  client: TelnyxClient;
  sms: TelnyxSmsProvider;
  voice: TelnyxVoiceProvider | null;
} {
  const client = new TelnyxClient(opts);
  return {
    client,
    sms: new TelnyxSmsProvider(client, { from: opts.from, webhookUrl: opts.webhookUrl }),
    voice: opts.connectionId ? new TelnyxVoiceProvider(client, { from: opts.from, connectionId: opts.connectionId, webhookUrl: opts.webhookUrl }) : null,
  };
}
