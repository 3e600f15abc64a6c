/**
 * Vonage Call Control Objects (NCCO) for hotline calls (pure): the JSON array Vonage runs when the
 * hotline number is called and when a `connect` fails. The same steps as the TwiML (twiml.ts):
 * say is a `talk` action; ringing someone is a synchronous `connect` to a `phone` endpoint with a
 * `timeout` and an `eventUrl` (Vonage posts its failed states there and runs the NCCO answered);
 * hang up is the end of the NCCO (Vonage ends the call when no action is left). JSON.stringify
 * escapes every text, so nothing a name holds can add an action.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { TwimlVerb } from './twiml.js';

type NccoAction = { action: 'talk'; text: string } | { action: 'connect'; from?: string; timeout: number; eventType: 'synchronous'; eventUrl: string[]; endpoint: { type: 'phone'; number: string }[] };

/** Vonage writes phone numbers without the + (447700900000). */
const bare = (n: string) => n.replace(/^\+/, '');

/** The NCCO of `verbs`, in order; everything after a hang-up is dropped. */
export function nccoDocument(verbs: readonly TwimlVerb[]): string {
  const out: NccoAction[] = [];
  for (const v of verbs) {
    if ('hangup' in v) break;
    if ('say' in v) out.push({ action: 'talk', text: v.say });
    else
      out.push({
        action: 'connect',
        ...(v.dial.callerId && { from: bare(v.dial.callerId) }),
        timeout: Math.max(1, Math.min(600, Math.round(v.dial.timeoutSeconds))),
        eventType: 'synchronous',
        eventUrl: [v.dial.action],
        endpoint: [{ type: 'phone', number: bare(v.dial.number) }],
      });
  }
  return JSON.stringify(out);
}

const b64url = (b: Buffer) => b.toString('base64url');

/**
 * Checks a Vonage signed webhook: `Authorization: Bearer <JWT>`, HS256 with the account's signature
 * secret (constant-time compare), and, when the token carries `payload_hash`, that it is the SHA-256
 * (hex) of `payload` (the JSON of the request's body, or of its query parameters for a GET, as
 * Vonage documents). An `exp` in the past fails; so does any other algorithm.
 */
export function verifyVonageSignature(secret: string, authorization: string | undefined, payload: string | null, nowSeconds: number): boolean {
  if (!secret || !authorization) return false;
  const m = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization.trim());
  if (!m) return false;
  const [, h, c, sig] = m as unknown as [string, string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch {
    return false;
  }
  if (typeof header !== 'object' || header === null || (header as { alg?: unknown }).alg !== 'HS256') return false;
  if (typeof claims !== 'object' || claims === null) return false;
  const expected = Buffer.from(b64url(createHmac('sha256', secret).update(`${h}.${c}`).digest()));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  const cl = claims as { exp?: unknown; payload_hash?: unknown };
  if (typeof cl.exp === 'number' && cl.exp < nowSeconds) return false;
  if (typeof cl.payload_hash === 'string' && payload !== null && createHash('sha256').update(payload).digest('hex') !== cl.payload_hash.toLowerCase()) return false;
  return true;
}
