/**
 * The Chat app's own credentials: a Google Cloud service account, and access tokens for it by the
 * OAuth 2.0 JWT-bearer grant (Google's "Using OAuth 2.0 for server to server applications"). The
 * service account's JSON key (`type` "service_account", `client_email`, `private_key` PEM PKCS#8,
 * `private_key_id`, `token_uri`) signs an RS256 assertion (header `kid` the key id; claims `iss` the
 * client email, `scope` https://www.googleapis.com/auth/chat.bot, `aud` the token URI, `iat` now,
 * `exp` one hour later), POSTed form-encoded to the token URI with
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`; the answer is `{access_token, expires_in,
 * token_type: "Bearer"}`. A token is kept until a minute before it expires (the injected clock).
 * Signed with `jose`; the request goes through the egress policy.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { EgressPolicy } from '../../lib/egress.js';
import { httpRequest, isPermanentHttpStatus, readJson } from '../../notify/providers/http.js';
import { ProviderError } from '../../notify/types.js';

/** The scope of a Chat app calling the Chat API as itself. */
export const CHAT_BOT_SCOPE = 'https://www.googleapis.com/auth/chat.bot';
/** Google's token endpoint (what a key's token_uri says). */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** The grant type of a signed assertion. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** What Klaxon uses of a service-account key. */
export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  tokenUri: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Parses a service account's JSON key; a sentence saying what is wrong instead. Pure (the key is parsed, not used). */
export function parseServiceAccountKey(json: string): ServiceAccountKey | { error: string } {
  let k: unknown;
  try {
    k = JSON.parse(json) as unknown;
  } catch {
    return { error: 'not JSON: give the path to the service account key file or its JSON' };
  }
  if (!k || typeof k !== 'object' || Array.isArray(k)) return { error: 'not a JSON object' };
  const o = k as Record<string, unknown>;
  if (o.type !== undefined && o.type !== 'service_account') return { error: `type is ${JSON.stringify(o.type)}, not "service_account"` };
  const clientEmail = str(o.client_email);
  if (!/^[^@\s]{1,200}@[^@\s]{1,200}$/.test(clientEmail)) return { error: 'client_email: missing or not an email address' };
  const privateKey = str(o.private_key);
  try {
    createPrivateKey(privateKey);
  } catch {
    return { error: 'private_key: missing or not a PEM private key' };
  }
  const tokenUri = str(o.token_uri) || GOOGLE_TOKEN_URI;
  if (!/^https?:\/\/\S+$/.test(tokenUri)) return { error: 'token_uri: not an http(s) URL' };
  const privateKeyId = str(o.private_key_id);
  return { clientEmail, privateKey, tokenUri, ...(privateKeyId && { privateKeyId }) };
}

/** Access tokens of one service account for the Chat API, cached until shortly before they expire. */
export class ServiceAccountTokens {
  private readonly key: KeyObject;
  private cached: { token: string; until: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly account: ServiceAccountKey,
    private readonly o: { egress: EgressPolicy; now: () => number; tokenUri?: string },
  ) {
    this.key = createPrivateKey(account.privateKey);
  }

  /** The token endpoint: the override, else the key's token_uri. */
  get tokenUri(): string {
    return this.o.tokenUri ?? this.account.tokenUri;
  }

  /** An access token (a cached one while it has more than a minute left). */
  async token(): Promise<string> {
    if (this.cached && this.o.now() < this.cached.until) return this.cached.token;
    this.pending ??= this.fetch().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Forgets the cached token (the API refused it). */
  forget(): void {
    this.cached = null;
  }

  private async fetch(): Promise<string> {
    const now = this.o.now();
    const iat = Math.floor(now / 1000);
    const assertion = await new SignJWT({ scope: CHAT_BOT_SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(this.account.privateKeyId && { kid: this.account.privateKeyId }) })
      .setIssuer(this.account.clientEmail)
      .setAudience(this.tokenUri)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(this.key);
    const body = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString();
    const res = await httpRequest('Google OAuth token', this.tokenUri, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }, { egress: this.o.egress });
    const json = (await readJson(res)) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
    if (!res.ok || typeof json?.access_token !== 'string' || !json.access_token) {
      const why = [str(json?.error), str(json?.error_description)].filter(Boolean).join(': ');
      throw new ProviderError(`Google OAuth token for ${this.account.clientEmail}: HTTP ${res.status}${why ? ` ${why}` : ''}`, isPermanentHttpStatus(res.status), 'token');
    }
    const seconds = typeof json.expires_in === 'number' && Number.isFinite(json.expires_in) ? json.expires_in : 3600;
    this.cached = { token: json.access_token, until: now + Math.max(0, seconds - 60) * 1000 };
    return json.access_token;
  }
}
