/**
 * ntfy provider: publishes the JSON body of {@link renderNtfy} to the contact's server (its own, or
 * KLAXON_NTFY_BASE_URL, default https://ntfy.sh) with `Authorization: Bearer <token>` when the
 * contact has an access token. The server is a URL the user gave, so the request goes through the
 * egress policy. ntfy answers 200 with the message (`{id, time, event: "message", topic, ...}`); errors
 * are `{code, http, error}`: 4xx except 408/429 is permanent (a wrong token is 401/403), 429, 5xx,
 * timeouts and network errors are temporary.
 */
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase, type HttpProviderOptions } from '../http.js';
import { parseNtfyAddress, renderNtfy } from './render.js';

export { parseNtfyAddress, formatNtfyAddress, renderNtfy, NTFY_TOPIC, type NtfyAddress, type NtfyPublish, type NtfyAction } from './render.js';

/** Default ntfy server for contacts that name none. */
export const NTFY_DEFAULT_BASE_URL = 'https://ntfy.sh';

/** Options of {@link NtfyProvider}. */
export interface NtfyProviderOptions extends HttpProviderOptions {
  /** Server for contacts without one (KLAXON_NTFY_BASE_URL). */
  baseUrl?: string;
}

/** Publishes to ntfy; providerMessageId is ntfy's message id, providerStatus 'published'. */
export class NtfyProvider implements Provider {
  /** Always 'ntfy'. */
  readonly channel = 'ntfy' as const;

  /** Creates the provider. */
  constructor(private readonly opts: NtfyProviderOptions) {}

  /** Publishes one message. */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    const a = parseNtfyAddress(msg.destination);
    if ('error' in a) throw new ProviderError(`ntfy: the contact address ${a.error}`, true, 'invalid_address');
    const server = trimBase(a.server ?? this.opts.baseUrl ?? NTFY_DEFAULT_BASE_URL);
    const body = JSON.stringify(renderNtfy(msg.message, a.topic));
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'Klaxon' };
    if (a.token) headers.Authorization = `Bearer ${a.token}`;
    const res = await httpRequest('ntfy', `${server}/`, { method: 'POST', headers, body }, this.opts);
    const json = (await readJson(res)) as { id?: unknown; error?: unknown; code?: unknown } | undefined;
    if (res.ok) return { providerMessageId: typeof json?.id === 'string' ? json.id : null, providerStatus: 'published' };
    const why = typeof json?.error === 'string' ? json.error : `HTTP ${res.status}`;
    const hint = res.status === 401 || res.status === 403 ? ": the topic is protected; check the contact method's access token" : '';
    throw new ProviderError(`ntfy: ${server} answered HTTP ${res.status} (${why})${hint}`, isPermanentHttpStatus(res.status) || (res.status >= 300 && res.status < 400), `http_${res.status}`);
  }
}
