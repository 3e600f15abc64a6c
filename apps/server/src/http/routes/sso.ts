import * as C from '@klaxon/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OidcSignIn } from '../../auth/oidc.js';
import { SamlSignIn } from '../../auth/saml.js';
import { authenticateSession, createSession, CSRF_HEADER, csrfMatches, endSession, SESSION_COOKIE } from '../../auth/sessions.js';
import { userForIdentity } from '../../auth/sso.js';
import { AppError } from '../../lib/errors.js';
import type { App, HttpDeps } from '../deps.js';
import { toHttpError } from '../errors.js';
import { setSessionCookie } from './auth.js';
import { must } from '../../lib/must.js';

/** Cookie holding the state of the OIDC sign-in this browser started (checked against the callback's). */
export const OIDC_STATE_COOKIE = 'klaxon_oidc_state';
const STATE_COOKIE_PATH = '/api/v1/auth/oidc';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A refused callback: the error's status with the usual JSON error body, or, for a browser (Accept:
 * text/html), a small page that says what went wrong and links back to the sign-in screen.
 */
function refuse(req: FastifyRequest, reply: FastifyReply, err: unknown) {
  const { status, body } = toHttpError(err);
  if (status >= 500) req.log.error({ err }, 'single sign-on failed');
  if (!/text\/html/.test(req.headers.accept ?? '')) return reply.status(status).send(body);
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in failed · Klaxon</title></head><body><h1>Sign-in failed</h1><p>${escapeHtml(body.error.message)}</p><p><a href="/login">Back to sign in</a></p></body></html>`,
    );
}

/**
 * Single sign-on under /api/v1: which ways to sign in exist (for the sign-in screen), OpenID Connect
 * start and callback (browser redirects, so not in openapi.json: docs/sso.md), and sign-out that also
 * names the provider's end-session URL.
 */
export async function ssoRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;
  const tags = ['auth'];
  const sso = deps.sso;
  const oidc = sso?.oidc ? new OidcSignIn(ctx, sso.oidc) : undefined;
  const saml = sso?.saml ? new SamlSignIn(ctx, sso.saml) : undefined;
  const secure = ctx.publicUrl.startsWith('https:');

  app.get(
    '/auth/providers',
    { schema: { tags, summary: 'How people sign in here: the password form, and single sign-on when configured', security: [], response: { 200: C.SignInProviders } } },
    async () => ({
      password: sso?.passwordSignIn ?? true,
      oidc: oidc ? { name: oidc.settings.displayName, startUrl: '/api/v1/auth/oidc/start' } : null,
      saml: saml ? { name: saml.settings.displayName, startUrl: '/api/v1/auth/saml/start' } : null,
    }),
  );

  app.get('/auth/oidc/start', { schema: { hide: true, querystring: C.SsoStartQuery } }, async (req, reply) => {
    if (!oidc) throw new AppError('not_found', 'OpenID Connect sign-in is not configured (KLAXON_OIDC_ISSUER)');
    const { url, state } = await oidc.start(req.query.returnTo ?? '/');
    void reply.setCookie(OIDC_STATE_COOKIE, state, { httpOnly: true, sameSite: 'lax', secure, path: STATE_COOKIE_PATH, maxAge: 600 });
    return reply.redirect(url, 302);
  });

  app.get('/auth/oidc/callback', { schema: { hide: true } }, async (req, reply) => {
    try {
      if (!oidc) throw new AppError('not_found', 'OpenID Connect sign-in is not configured (KLAXON_OIDC_ISSUER)');
      const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
      const cookieState = req.cookies[OIDC_STATE_COOKIE];
      void reply.clearCookie(OIDC_STATE_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: STATE_COOKIE_PATH });
      const { identity, returnTo } = await oidc.finish(query, cookieState);
      const user = await userForIdentity(ctx, { autoCreate: oidc.settings.autoCreate, defaultRole: oidc.settings.defaultRole, groupMap: must(sso, 'sso').groupMap }, identity);
      const s = await createSession(ctx, user.id);
      setSessionCookie(ctx, reply, s.token, s.expiresAt);
      return reply.redirect(returnTo, 302);
    } catch (e) {
      return refuse(req, reply, e);
    }
  });

  const notSaml = () => new AppError('not_found', 'SAML sign-in is not configured (KLAXON_SAML_IDP_METADATA)');
  app.get('/auth/saml/metadata', { schema: { hide: true } }, async (_req, reply) => {
    if (!saml) throw notSaml();
    return reply.type('application/samlmetadata+xml; charset=utf-8').send(saml.metadata());
  });
  app.get('/auth/saml/start', { schema: { hide: true, querystring: C.SsoStartQuery } }, async (req, reply) => {
    if (!saml) throw notSaml();
    return reply.redirect(await saml.start(req.query.returnTo ?? '/'), 302);
  });
  app.post('/auth/saml/acs', { schema: { hide: true } }, async (req, reply) => {
    try {
      if (!saml) throw notSaml();
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body.SAMLResponse !== 'string' || !body.SAMLResponse) throw new AppError('invalid', 'Post the SAMLResponse form field (HTTP-POST binding)');
      const identity = await saml.finish(body.SAMLResponse);
      const user = await userForIdentity(ctx, { autoCreate: saml.settings.autoCreate, defaultRole: saml.settings.defaultRole, groupMap: must(sso, 'sso').groupMap }, identity);
      const s = await createSession(ctx, user.id);
      setSessionCookie(ctx, reply, s.token, s.expiresAt);
      const relay = typeof body.RelayState === 'string' && /^\/(?![/\\])/.test(body.RelayState) && body.RelayState.length <= 2000 ? body.RelayState : '/';
      return reply.redirect(relay, 303);
    } catch (e) {
      return refuse(req, reply, e);
    }
  });

  app.post(
    '/auth/sso/logout',
    {
      schema: {
        tags,
        summary: "Sign out: ends the session and clears the cookie; names the identity provider's end-session URL to go to next (RP-initiated logout), or null",
        security: [],
        response: { 200: C.SsoLogoutAnswer },
      },
    },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        const session = await authenticateSession(ctx, token);
        if (session && !csrfMatches(session, req.headers[CSRF_HEADER])) throw new AppError('forbidden', 'missing or wrong CSRF token');
        await endSession(ctx, token);
      }
      void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
      return { redirectUrl: oidc ? await oidc.endSessionUrl().catch(() => null) : null };
    },
  );
}
