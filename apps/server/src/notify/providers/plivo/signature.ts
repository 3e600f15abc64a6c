/**
 * Plivo request signatures, version 3 (X-Plivo-Signature-V3 with X-Plivo-Signature-V3-Nonce; inbound
 * messages may carry X-Plivo-Signature-Ma-V3), per Plivo's documented algorithm: the URL Plivo called
 * as scheme://host[:port]/path, then `?` and its query parameters sorted (`k=v` joined by `&`) when
 * there is a query or a POST body, then `.` when there are both, then the POST parameters sorted by
 * name as name+value; then `.` and the nonce; HMAC-SHA256 with the auth token, base64. The header
 * may hold several signatures separated by commas; one matching is enough.
 *
 * The scheme has no timestamp: replays are refused by remembering nonces (see {@link NonceMemory}).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The string Plivo signs for a POST to `url` with form parameters `params` (before `.nonce`). */
export function plivoBaseString(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  let base = `${u.protocol}//${u.host}${u.pathname}`;
  const q: [string, string][] = [...u.searchParams.entries()];
  q.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const query = q.map(([k, v]) => `${k}=${v}`).join('&');
  const names = Object.keys(params).sort();
  if (query.length > 0 || names.length > 0) base += `?${query}`;
  if (query.length > 0 && names.length > 0) base += '.';
  return base + names.map((k) => `${k}${params[k]}`).join('');
}

/** The V3 signature of a POST. */
export function computePlivoSignatureV3(authToken: string, url: string, nonce: string, params: Record<string, string>): string {
  return createHmac('sha256', authToken)
    .update(`${plivoBaseString(url, params)}.${nonce}`, 'utf8')
    .digest('base64');
}

/** True when one of the comma-separated signatures in `header` is the V3 signature of this POST (constant-time compare). */
export function validatePlivoSignatureV3(authToken: string, header: string | undefined, nonce: string | undefined, url: string, params: Record<string, string>): boolean {
  if (!authToken || !header || !nonce) return false;
  let expected: Buffer;
  try {
    expected = Buffer.from(computePlivoSignatureV3(authToken, url, nonce, params), 'utf8');
  } catch {
    return false;
  }
  let ok = false;
  for (const s of header.split(',')) {
    const given = Buffer.from(s.trim(), 'utf8');
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

/**
 * Nonces seen in the last `ttlMs` (at most `max` kept): a signed request whose nonce was already used
 * is a replay. Kept in this process's memory.
 */
export class NonceMemory {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly ttlMs = 24 * 3600_000,
    private readonly max = 100_000,
  ) {}

  /** Records `nonce` at `now`; false when it was already seen within the window. */
  use(nonce: string, now: number): boolean {
    const at = this.seen.get(nonce);
    if (at !== undefined && now - at < this.ttlMs) return false;
    this.seen.set(nonce, now);
    if (this.seen.size > this.max) {
      for (const [k, t] of this.seen) {
        if (now - t >= this.ttlMs || this.seen.size > this.max) this.seen.delete(k);
        else break;
      }
    }
    return true;
  }
}
