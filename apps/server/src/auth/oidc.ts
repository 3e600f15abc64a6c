/**
 * OpenID Connect sign-in through openid-client: the authorization code flow with PKCE (S256), state
 * and nonce. `start` records the sign-in under way (sso_requests: the SHA-256 of the state, the
 * nonce, the PKCE verifier, where to land) and gives the provider's authorization URL; the browser
 * also keeps the state in a cookie, so a callback whose state was not started in this browser is
 * refused (login CSRF). `finish` takes that record (once), has openid-client check the answer
 * (state, issuer, code exchange with the verifier, ID token signature, audience, expiry and nonce),
 * and returns who signed in. The provider's metadata is discovered on first use and kept.
 *
 * Requests go to the issuer the operator configured (KLAXON_OIDC_ISSUER), not to addresses a user
 * chose, so they do not go through ctx.egress.
 */
import * as client from 'openid-client';
import type { OidcSettings } from './sso-config.js';
import type { SsoIdentity } from './sso.js';
import { insertSsoRequest, takeSsoRequest } from './store.js';
import type { Ctx } from '../context.js';
import { AppError } from '../lib/errors.js';
import { newSecret, sha256 } from '../lib/ids.js';
import { must } from '../lib/must.js';

/** A sign-in started at the provider must come back within this long. */
export const SSO_REQUEST_TTL_MS = 10 * 60_000;

/** The callback path, under the public URL: register `<KLAXON_PUBLIC_URL>/api/v1/auth/oidc/callback` at the provider. */
export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';

function unavailable(e: unknown): boolean {
  const err = e as { name?: string; message?: string; code?: string; cause?: unknown };
  return (err?.name === 'TypeError' && /fetch failed/i.test(err.message ?? '')) || err?.code === 'OAUTH_TIMEOUT' || err?.name === 'AbortError' || err?.name === 'TimeoutError';
}

function describe(e: unknown): string {
  // openid-client wraps oauth4webapi's error, whose cause names the claim or the provider's error.
  let detail: string | undefined;
  for (let c = e as { cause?: unknown; error?: string; error_description?: string; claim?: string } | undefined, i = 0; c && typeof c === 'object' && i < 4; c = c.cause as typeof c, i++) {
    detail ??= c.error_description ?? c.error ?? (c.claim && `claim ${c.claim}`);
  }
  return [(e as Error)?.message, detail].filter(Boolean).join(': ').slice(0, 300);
}

export class OidcSignIn {
  private config?: Promise<client.Configuration>;

  constructor(
    private readonly ctx: Ctx,
    readonly settings: OidcSettings,
  ) {}

  redirectUri(): string {
    return `${this.ctx.publicUrl.replace(/\/+$/, '')}${OIDC_CALLBACK_PATH}`;
  }

  /** The provider's configuration (discovery document), fetched once; a failed fetch is tried again next time. */
  private discover(): Promise<client.Configuration> {
    if (!this.config) {
      const s = this.settings;
      const insecure = new URL(s.issuer).protocol === 'http:'; // loopback only (sso-config.ts), for tests
      this.config = client
        .discovery(new URL(s.issuer), s.clientId, undefined, s.clientSecret ? client.ClientSecretPost(s.clientSecret) : client.None(), {
          ...(insecure && { execute: [client.allowInsecureRequests] }),
          timeout: 10,
        })
        .catch((e: unknown) => {
          this.config = undefined;
          throw new AppError('unavailable', `The identity provider at ${s.issuer} did not answer its discovery document: ${describe(e)}`);
        });
    }
    return this.config;
  }

  /** Starts a sign-in: the URL to send the browser to, and the state for its cookie. */
  async start(returnTo: string): Promise<{ url: string; state: string }> {
    const config = await this.discover();
    const state = newSecret('', 32);
    const nonce = newSecret('', 32);
    const verifier = client.randomPKCECodeVerifier();
    const now = this.ctx.clock.now();
    await insertSsoRequest(this.ctx.db.kysely, { id: sha256(state), kind: 'oidc', nonce, code_verifier: verifier, return_to: returnTo, created_at: now, expires_at: now + SSO_REQUEST_TTL_MS });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(),
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state };
  }

  /**
   * Finishes a sign-in from the callback's query string. `cookieState` is the state this browser
   * started with. Throws a 400 for anything refused (the message says what), 503 when the provider
   * cannot be reached.
   */
  async finish(query: URLSearchParams, cookieState: string | undefined): Promise<{ identity: SsoIdentity; returnTo: string }> {
    if (query.get('error'))
      throw new AppError('invalid', `The identity provider did not sign you in: ${query.get('error')}${query.get('error_description') ? ` (${query.get('error_description')})` : ''}`);
    const state = query.get('state');
    if (!state) throw new AppError('invalid', 'The answer from the identity provider has no state: start signing in again');
    if (!cookieState || cookieState !== state) throw new AppError('invalid', 'This sign-in was not started in this browser (the state does not match): start signing in again');
    const request = await takeSsoRequest(this.ctx.db.kysely, sha256(state));
    if (!request || request.kind !== 'oidc' || Number(request.expires_at) <= this.ctx.clock.now())
      throw new AppError('invalid', 'This sign-in is unknown, used already or expired: start signing in again');
    const config = await this.discover();
    const current = new URL(this.redirectUri());
    current.search = query.toString();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: request.code_verifier, expectedState: state, expectedNonce: request.nonce, idTokenExpected: true });
    } catch (e) {
      if (unavailable(e)) throw new AppError('unavailable', `The identity provider at ${this.settings.issuer} could not be reached: ${describe(e)}`);
      throw new AppError('invalid', `The identity provider's answer was refused: ${describe(e)}`);
    }
    const idClaims = must(tokens.claims(), 'tokens.claims()');
    let claims: Record<string, unknown> = { ...idClaims };
    const c = this.settings.claims;
    // Some providers put the email or the groups only in the UserInfo answer.
    if (claims[c.email] === undefined || claims[c.groups] === undefined) {
      try {
        claims = { ...(await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)), ...claims };
      } catch (e) {
        if (unavailable(e)) throw new AppError('unavailable', `The identity provider's UserInfo endpoint could not be reached: ${describe(e)}`);
        throw new AppError('invalid', `The identity provider's UserInfo answer was refused: ${describe(e)}`);
      }
    }
    if (claims.email_verified === false && c.email === 'email') throw new AppError('forbidden', 'The identity provider says this email is not verified');
    const email = claims[c.email];
    if (typeof email !== 'string') throw new AppError('forbidden', `The identity provider sent no "${c.email}" claim (KLAXON_OIDC_EMAIL_CLAIM): add the email scope or a mapper`);
    const name = claims[c.name];
    const groups = claims[c.groups];
    return {
      identity: {
        method: 'oidc',
        subject: idClaims.sub,
        email,
        name: typeof name === 'string' ? name : undefined,
        groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : typeof groups === 'string' ? [groups] : [],
      },
      returnTo: request.return_to,
    };
  }

  /** Where to send the browser to sign out at the provider too (RP-initiated logout), or null when it has no end_session_endpoint. */
  async endSessionUrl(): Promise<string | null> {
    const config = await this.discover();
    if (!config.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(config, { client_id: this.settings.clientId, post_logout_redirect_uri: `${this.ctx.publicUrl.replace(/\/+$/, '')}/login` }).href;
  }
}
