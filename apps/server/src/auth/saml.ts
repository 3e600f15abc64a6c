/**
 * SAML 2.0 sign-in as a service provider, through @node-saml/node-saml: an AuthnRequest by
 * HTTP-Redirect, the answer by HTTP-POST to the assertion consumer service. Required: a signed
 * assertion (wantAssertionsSigned) by a certificate from the IdP's metadata, Klaxon as the audience,
 * the IdP's entity ID as the issuer, times within KLAXON_SAML_CLOCK_SKEW_SECONDS, and InResponseTo
 * naming a request Klaxon made (kept in sso_requests, 10 minutes, used once: every instance sees it).
 * Each accepted assertion's ID is remembered until it expires, so the same assertion is refused twice.
 */
import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml';
import type { SamlSettings } from './sso-config.js';
import type { SsoIdentity } from './sso.js';
import { insertSsoRequest, rememberAssertion, ssoRequest, takeSsoRequest } from './store.js';
import type { Ctx } from '../context.js';
import { AppError } from '../lib/errors.js';
import { sha256 } from '../lib/ids.js';
import { SSO_REQUEST_TTL_MS } from './oidc.js';

export const SAML_ACS_PATH = '/api/v1/auth/saml/acs';
export const SAML_METADATA_PATH = '/api/v1/auth/saml/metadata';

/** Requests Klaxon sent, in the database (node-saml's default cache lives in one process's memory). */
function requestCache(ctx: Ctx): CacheProvider {
  const id = (key: string) => sha256(`saml:${key}`);
  return {
    async saveAsync(key, value) {
      const now = ctx.clock.now();
      await insertSsoRequest(ctx.db.kysely, { id: id(key), kind: 'saml', nonce: value, code_verifier: '', return_to: '', created_at: now, expires_at: now + SSO_REQUEST_TTL_MS });
      return { value, createdAt: now };
    },
    async getAsync(key) {
      const row = await ssoRequest(ctx.db.kysely, id(key));
      return row && Number(row.expires_at) > ctx.clock.now() ? row.nonce : null;
    },
    async removeAsync(key) {
      if (!key) return null;
      return (await takeSsoRequest(ctx.db.kysely, id(key))) ? key : null;
    },
  };
}

function first(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

export class SamlSignIn {
  constructor(
    private readonly ctx: Ctx,
    readonly settings: SamlSettings,
  ) {}

  private base(): string {
    return this.ctx.publicUrl.replace(/\/+$/, '');
  }

  entityId(): string {
    return this.settings.spEntityId ?? `${this.base()}${SAML_METADATA_PATH}`;
  }

  private saml(): SAML {
    return new SAML({
      issuer: this.entityId(),
      callbackUrl: `${this.base()}${SAML_ACS_PATH}`,
      entryPoint: this.settings.idp.ssoUrl,
      idpCert: this.settings.idp.certs,
      idpIssuer: this.settings.idp.entityId || undefined,
      audience: this.entityId(),
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: this.settings.clockSkewMs,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: SSO_REQUEST_TTL_MS,
      cacheProvider: requestCache(this.ctx),
      identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      disableRequestedAuthnContext: true,
    });
  }

  /** Klaxon's SP metadata (XML). */
  metadata(): string {
    return this.saml().generateServiceProviderMetadata(null, null);
  }

  /** The IdP URL that starts a sign-in (an AuthnRequest by HTTP-Redirect); RelayState carries where to land. */
  async start(returnTo: string): Promise<string> {
    return this.saml().getAuthorizeUrlAsync(returnTo, undefined, {});
  }

  /** Checks a POSTed SAMLResponse; who signed in, or a 400 saying what was refused. */
  async finish(samlResponse: string): Promise<SsoIdentity> {
    let profile: Awaited<ReturnType<SAML['validatePostResponseAsync']>>['profile'];
    try {
      ({ profile } = await this.saml().validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch (e) {
      throw new AppError('invalid', `The SAML answer was refused: ${((e as Error).message ?? String(e)).slice(0, 300)}`);
    }
    if (!profile) throw new AppError('invalid', 'The SAML answer signs nobody in');
    // node-saml checks the issuer of logout answers only: the assertion's issuer is checked here.
    if (this.settings.idp.entityId && profile.issuer !== this.settings.idp.entityId)
      throw new AppError('invalid', `The SAML assertion's issuer is "${String(profile.issuer).slice(0, 200)}", not the identity provider's entity ID "${this.settings.idp.entityId}"`);
    const xml = profile.getAssertionXml?.() ?? '';
    const assertionId = /<(?:\w+:)?Assertion\b[^>]*\sID="([^"]+)"/.exec(xml)?.[1];
    if (!assertionId) throw new AppError('invalid', 'The SAML assertion has no ID');
    const notOnOrAfter = /NotOnOrAfter="([^"]+)"/.exec(xml)?.[1];
    const now = this.ctx.clock.now();
    const expires = Math.max(notOnOrAfter ? Date.parse(notOnOrAfter) || 0 : 0, Date.now()) + this.settings.clockSkewMs + 24 * 3600_000;
    if (!(await rememberAssertion(this.ctx.db.kysely, sha256(assertionId), Math.max(expires, now + 24 * 3600_000), now)))
      throw new AppError('invalid', 'This SAML assertion was used already (a replay)');
    const attr = (name: string) => first(profile[name]);
    const email = this.settings.emailAttribute ? attr(this.settings.emailAttribute) : profile.nameID;
    if (!email) throw new AppError('forbidden', `The SAML assertion carries no email (${this.settings.emailAttribute ? `attribute ${this.settings.emailAttribute}` : 'NameID'})`);
    const groups = profile[this.settings.groupsAttribute];
    return {
      method: 'saml',
      subject: profile.nameID,
      email,
      name: attr(this.settings.nameAttribute),
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : typeof groups === 'string' ? [groups] : [],
    };
  }
}
