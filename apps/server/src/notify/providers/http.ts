/**
 * The HTTP client of the HTTP-based providers (webhook, Twilio, Slack, Web Push): undici's
 * `request` on a keep-alive agent, with a timeout that turns network failures into temporary
 * ProviderErrors, and the status-code -> retryability rule.
 *
 * Not the global `fetch`: it builds WHATWG Request/Response/Headers objects and streams for every
 * call, which cost about 0.3 ms of CPU per page in the ingest benchmark (bench/peer.ts); `request`
 * is the same library (Node's fetch is undici) without those layers. Redirects are never followed.
 */
import { request, type Dispatcher } from 'undici';
import { checkEgressUrl, type EgressPolicy } from '../../lib/egress.js';
import { ProviderError } from '../types.js';

/** Common HTTP options of the HTTP-based providers. */
export interface HttpProviderOptions {
  /** Give up on a request after this many milliseconds without an answer (default 10 s, for the answer's headers and again for its body; undici's agent gives up connecting after 10 s); a timeout is a temporary failure. */
  timeoutMs?: number;
  /** undici dispatcher (default: undici's global keep-alive agent); for proxies. Ignored when `egress` is set. */
  dispatcher?: Dispatcher;
  /**
   * The egress policy, for destinations a user gave (webhook URLs, push endpoints): the URL is
   * checked and every connection goes through the policy's agent; a refusal is a permanent failure
   * (code `egress_refused`). Left out only for base URLs the operator configured (Twilio, Slack).
   */
  egress?: EgressPolicy;
}

/** Default request timeout of the HTTP providers. */
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** What a provider sends. */
export interface HttpCall {
  method: 'POST' | 'GET' | 'PUT';
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** What came back: status, headers, and the body read once. */
export interface HttpAnswer {
  status: number;
  /** 2xx. */
  ok: boolean;
  header(name: string): string | null;
  text(): Promise<string>;
  /** Reads and drops the body (frees the connection for the next request). */
  discard(): Promise<void>;
}

/** True for statuses a retry will not fix: 4xx except 408 (timeout) and 429 (rate limited). */
export function isPermanentHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** One HTTP request with a timeout; a network error or timeout becomes a temporary ProviderError named after `what`. */
export async function httpRequest(what: string, url: string, call: HttpCall, opts: HttpProviderOptions): Promise<HttpAnswer> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  if (opts.egress) {
    const r = checkEgressUrl(opts.egress, url);
    if (!r.ok) throw new ProviderError(`${what}: destination refused: ${r.reason}`, true, 'egress_refused');
  }
  try {
    const res = await request(url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      dispatcher: opts.egress?.dispatcher ?? opts.dispatcher,
    });
    const body = res.body;
    return {
      status: res.statusCode,
      ok: res.statusCode >= 200 && res.statusCode < 300,
      header: (name) => {
        const v = res.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
      text: () => body.text(),
      discard: () => body.dump().catch(() => undefined),
    };
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.code === 'EGRESS_REFUSED' || e.cause?.code === 'EGRESS_REFUSED') {
      throw new ProviderError(`${what}: ${e.code === 'EGRESS_REFUSED' ? e.message : e.cause?.message}`, true, 'egress_refused');
    }
    if (e.code && TIMEOUT_CODES.has(e.code)) {
      throw new ProviderError(`${what}: no answer within ${timeoutMs} ms`, false, 'timeout');
    }
    const cause = e.code ?? e.cause?.code ?? e.cause?.message;
    throw new ProviderError(`${what}: ${e.message ?? String(err)}${cause ? ` (${cause})` : ''}`, false, 'network_error');
  }
}

/** Reads a response body as JSON, or undefined when it is not JSON. */
export async function readJson(res: HttpAnswer): Promise<unknown> {
  const text = await res.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `base` without trailing slashes. */
export function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}
