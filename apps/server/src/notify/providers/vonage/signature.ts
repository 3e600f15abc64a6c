/**
 * Vonage signed webhooks, per Vonage's documentation ("Signed webhooks"): every webhook of the
 * Messages and Voice APIs carries `Authorization: Bearer <JWT>`, a JWT signed HS256 with the
 * account's signature secret, whose claims include `iat` (seconds), `jti`, `iss: "Vonage"`,
 * `api_key`, `application_id` and `payload_hash`: the SHA-256 (hex) of the request body. A webhook
 * is genuine when the signature checks, the hash matches the body it came with, and `iat` is recent.
 * Klaxon refuses a token issued more than 5 minutes ago (or more than 5 minutes ahead of its clock).
 */
import { createHash } from 'node:crypto';
import { jwtVerify } from 'jose';
import { must } from '../../../lib/must.js';

/** How old (or how far ahead) a webhook's `iat` may be. */
export const VONAGE_MAX_AGE_MS = 5 * 60_000;

/** Why a Vonage webhook was refused, or null when it is genuine. */
export async function checkVonageWebhook(signatureSecret: string, authorization: string | string[] | undefined, rawBody: string, nowMs: number): Promise<string | null> {
  if (!signatureSecret) return 'no Vonage signature secret is configured';
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return 'missing Authorization: Bearer <JWT>';
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(must(m[1], 'm[1]'), new TextEncoder().encode(signatureSecret), { algorithms: ['HS256'], currentDate: new Date(nowMs) }));
  } catch {
    return 'the JWT is not signed with the signature secret';
  }
  const iat = payload.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return 'the JWT has no iat';
  if (Math.abs(nowMs - iat * 1000) > VONAGE_MAX_AGE_MS) return 'the JWT is stale (iat more than 5 minutes from now)';
  const hash = createHash('sha256').update(rawBody, 'utf8').digest('hex');
  if (typeof payload.payload_hash === 'string' && payload.payload_hash.toLowerCase() !== hash) return 'payload_hash does not match the body';
  if (typeof payload.payload_hash !== 'string' && rawBody !== '') return 'the JWT has no payload_hash for a request with a body';
  return null;
}
