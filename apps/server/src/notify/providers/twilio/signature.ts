/**
 * Twilio request signatures (X-Twilio-Signature), per Twilio's documented algorithm: take the full
 * URL Twilio requested (scheme, host, port if any, path, query), append every POST parameter as
 * name + value with the names sorted (case-sensitive, byte order), HMAC-SHA1 the string with the
 * account's auth token, base64 the digest. Used to check inbound webhooks and, by the test fake, to
 * sign them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Computes the X-Twilio-Signature value for a request to `url` with form parameters `params`. */
export function computeTwilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const hmac = createHmac('sha1', authToken);
  hmac.update(url, 'utf8');
  for (const name of Object.keys(params).sort(byCodeUnit)) {
    hmac.update(name, 'utf8');
    hmac.update(params[name] ?? '', 'utf8');
  }
  return hmac.digest('base64');
}

/**
 * True when `signatureHeader` is a valid Twilio signature of `url` + `params` (constant-time compare).
 * Like Twilio's own helpers it also accepts the URL with the default port added or removed, since
 * Twilio may sign either form depending on how the webhook URL was configured.
 */
export function validateTwilioSignature(authToken: string, signatureHeader: string | string[] | undefined | null, url: string, params: Record<string, string>): boolean {
  const header = Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader;
  if (!header || !authToken) return false;
  const given = Buffer.from(header, 'utf8');
  let ok = false;
  for (const candidate of urlVariants(url)) {
    const expected = Buffer.from(computeTwilioSignature(authToken, candidate, params), 'utf8');
    // Evaluate every candidate (no early exit) so timing does not depend on which one matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The URL as given, plus the same URL with its default port made explicit or removed. */
function urlVariants(url: string): string[] {
  const out = [url];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return out;
  }
  const defaultPort = u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : null;
  if (!defaultPort) return out;
  // Rebuild by string surgery so the rest of the URL (query encoding, trailing slash) stays byte-identical.
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(url);
  if (!m) return out;
  const [, scheme = '', authority = '', rest = ''] = m;
  const hostPort = /^(.*?)(?::(\d+))?$/.exec(authority);
  const host = hostPort?.[1] ?? authority;
  const port = hostPort?.[2];
  if (port === undefined) out.push(`${scheme}${host}:${defaultPort}${rest}`);
  else if (port === defaultPort) out.push(`${scheme}${host}${rest}`);
  return out;
}
