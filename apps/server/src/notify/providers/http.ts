/**
 * Small HTTP helpers shared by the HTTP-based providers: a fetch with a timeout that turns network
 * failures into temporary ProviderErrors, and the status-code -> retryability rule.
 */
import { ProviderError } from '../types.js';

/** The fetch function a provider uses; injectable for tests and proxies. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Common HTTP options of the HTTP-based providers. */
export interface HttpProviderOptions {
  /** Abort a request after this many milliseconds (default 15 s); a timeout is a temporary failure. */
  timeoutMs?: number;
  /** fetch implementation (default: global fetch). */
  fetch?: FetchLike;
}

/** Default request timeout of the HTTP providers. */
export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;

/** True for statuses a retry will not fix: 4xx except 408 (timeout) and 429 (rate limited). */
export function isPermanentHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** fetch with a timeout; a network error or timeout becomes a temporary ProviderError named after `what`. */
export async function fetchWithTimeout(what: string, url: string, init: RequestInit, opts: HttpProviderOptions): Promise<Response> {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  try {
    return await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      throw new ProviderError(`${what}: no answer within ${timeoutMs} ms`, false, 'timeout');
    }
    const cause = e.cause?.code ?? e.cause?.message;
    throw new ProviderError(`${what}: ${e.message ?? String(err)}${cause ? ` (${cause})` : ''}`, false, 'network_error');
  }
}

/** Reads a response body as JSON, or undefined when it is not JSON. */
export async function readJson(res: Response): Promise<unknown> {
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
