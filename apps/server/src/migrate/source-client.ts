import { request } from 'undici';
import type { Clock } from '../lib/clock.js';
import { MigrateError } from './errors.js';

/** How a source authenticates: each vendor's documented header. */
export interface SourceAuth {
  header: string;
  value: string;
}

export interface SourceClientOptions {
  /** Base URL, e.g. https://api.opsgenie.com (no trailing slash needed). */
  baseUrl: string;
  auth: SourceAuth;
  /** Extra headers every request carries (e.g. PagerDuty's Accept). */
  headers?: Record<string, string>;
  /** Tries for a transient failure (network error, 5xx, 429) before giving up. Default 6. */
  maxTries?: number;
  /** Upper bound on one wait between tries, ms. Default 60 s. */
  maxWaitMs?: number;
  /** Minimum spacing between requests, ms: a vendor's documented rate limit. Default 0. */
  minIntervalMs?: number;
  /** Per-request timeout, ms. Default 30 s. */
  timeoutMs?: number;
  /** Sleeps between tries; injected so tests do not wait. Defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  clock?: Clock;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** SourceClient options for at most `maxRate` requests a second, each tried `maxTries` times. */
export function pace(maxRate: number, maxTries: number): Pick<SourceClientOptions, 'minIntervalMs' | 'maxTries'> {
  return { minIntervalMs: Math.ceil(1000 / maxRate), maxTries };
}

/**
 * Reads a vendor's REST API: GET only (an import never writes to the source), JSON answers,
 * 429 and 5xx retried with the server's Retry-After (seconds or an HTTP date) or exponential backoff,
 * and every failure a MigrateError that names the resource being read.
 */
export class SourceClient {
  readonly baseUrl: string;
  private lastRequestAt = 0;
  /** Requests made, for tests and the report. */
  requests = 0;

  constructor(private readonly o: SourceClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
  }

  /** Resolves a path (or an absolute URL the source gave as "next page") against the base URL. */
  url(pathOrUrl: string, query?: Record<string, string | number | boolean | undefined | (string | number)[]>): URL {
    const u = /^https?:\/\//i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(this.baseUrl + (pathOrUrl.startsWith('/') ? '' : '/') + pathOrUrl);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) u.searchParams.append(k, String(x));
      else u.searchParams.set(k, String(v));
    }
    return u;
  }

  /** GETs a JSON document. `resource` names what is being read, for errors ("schedule 'Primary' timeline"). */
  async getJson<T = unknown>(resource: string, pathOrUrl: string, query?: Record<string, string | number | boolean | undefined | (string | number)[]>): Promise<T> {
    const url = this.url(pathOrUrl, query);
    const maxTries = this.o.maxTries ?? 6;
    const sleep = this.o.sleep ?? realSleep;
    for (let attempt = 1; ; attempt++) {
      if (this.o.minIntervalMs) {
        const now = Date.now();
        const wait = this.lastRequestAt + this.o.minIntervalMs - now;
        if (wait > 0) await sleep(wait);
        this.lastRequestAt = Date.now();
      }
      let status: number;
      let headers: Record<string, string | string[] | undefined>;
      let text: string;
      try {
        this.requests++;
        const res = await request(url, {
          method: 'GET',
          headers: { accept: 'application/json', 'user-agent': 'klaxon-import', ...this.o.headers, [this.o.auth.header]: this.o.auth.value },
          headersTimeout: this.o.timeoutMs ?? 30_000,
          bodyTimeout: this.o.timeoutMs ?? 30_000,
        });
        status = res.statusCode;
        headers = res.headers;
        text = await res.body.text();
      } catch (err) {
        if (attempt >= maxTries) throw new MigrateError(resource, `could not reach ${url.origin}: ${(err as Error).message}`);
        await sleep(this.backoff(attempt));
        continue;
      }
      if (status === 429 || status >= 500) {
        if (attempt >= maxTries) throw new MigrateError(resource, `${url.origin} answered ${status} ${describeBody(text)} after ${attempt} tries`, status);
        // Retry-After, else the seconds until the limit resets (PagerDuty's ratelimit-reset), else backoff.
        const wait = this.retryAfter(headers['retry-after']) ?? this.resetAfter(headers['ratelimit-reset']) ?? this.backoff(attempt);
        await sleep(Math.min(wait, this.o.maxWaitMs ?? 60_000));
        continue;
      }
      if (status === 401 || status === 403)
        throw new MigrateError(resource, `${url.origin} refused the credentials (${status}) ${describeBody(text)}: check the API key or token and its permissions`, status);
      if (status === 404) throw new MigrateError(resource, `not found at ${url.pathname} (404) ${describeBody(text)}: check --url`, status);
      if (status < 200 || status >= 300) throw new MigrateError(resource, `${url.origin} answered ${status} ${describeBody(text)}`, status);
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new MigrateError(
          resource,
          `the answer from ${url.pathname} is not valid JSON (${text.length} bytes${text.length ? `, starting ${JSON.stringify(text.slice(0, 40))}` : ''}); nothing was applied`,
          status,
        );
      }
    }
  }

  private backoff(attempt: number): number {
    return Math.min(500 * 2 ** (attempt - 1), this.o.maxWaitMs ?? 60_000);
  }

  /** A `ratelimit-reset` header: whole seconds until the rate limit window resets. */
  private resetAfter(h: string | string[] | undefined): number | undefined {
    const v = Array.isArray(h) ? h[0] : h;
    return v && /^\d+$/.test(v.trim()) ? Number(v) * 1000 : undefined;
  }

  private retryAfter(h: string | string[] | undefined): number | undefined {
    const v = Array.isArray(h) ? h[0] : h;
    if (!v) return undefined;
    if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.ceil(Number(v) * 1000);
    const at = Date.parse(v);
    return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
  }
}

function describeBody(text: string): string {
  const t = text.trim();
  if (!t) return '';
  try {
    const j = JSON.parse(t) as Record<string, unknown>;
    const msg = j.message ?? (j.error as { message?: string } | undefined)?.message ?? j.error ?? j.detail;
    if (typeof msg === 'string') return `(${msg.slice(0, 200)})`;
  } catch {
    /* not JSON */
  }
  return `(${t.slice(0, 120)})`;
}
