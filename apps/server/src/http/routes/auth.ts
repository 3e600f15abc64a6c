import cookie from '@fastify/cookie';
import * as C from '@klaxon/contract';
import { NoContent } from '@klaxon/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditNow } from '../../audit.js';
import { authenticateSession, checkCredentials, createSession, CSRF_HEADER, csrfMatches, endSession, SESSION_COOKIE } from '../../auth/sessions.js';
import type { Ctx } from '../../context.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import * as users from '../../user/service.js';
import { requestPasswordReset, setPasswordWithLink } from '../../auth/password-links.js';
import type { App } from '../deps.js';
import type { HttpDeps } from '../deps.js';
import { audit } from '../../audit.js';
import { must } from '../../lib/must.js';

/**
 * Sign-in attempts allowed per email+IP, per IP and per account (email, from any address): token
 * buckets refilled over time. The per-account bucket stops a guesser who spreads attempts over many
 * addresses (a botnet) from trying more than a few dozen passwords an hour on one account. Kept in
 * memory per instance (N instances allow up to N times as many); enough to make password guessing slow.
 */
export class LoginThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** `burst` attempts at once, then one more every `refillMs`. */
  constructor(
    private readonly clock: Clock,
    private readonly perKey = { burst: 10, refillMs: 60_000 },
    private readonly perIp = { burst: 100, refillMs: 6_000 },
    private readonly perAccount = { burst: 30, refillMs: 120_000 },
  ) {}

  /** Takes one attempt for (email, ip); false when any of its buckets is empty. */
  take(email: string, ip: string): boolean {
    const now = this.clock.now();
    if (this.buckets.size > 50_000) this.prune(now);
    const account = email.trim().toLowerCase();
    const a = this.bucket(`e:${account}|${ip}`, this.perKey, now);
    const b = this.bucket(`i:${ip}`, this.perIp, now);
    const c = this.bucket(`a:${account}`, this.perAccount, now);
    if (a.tokens < 1 || b.tokens < 1 || c.tokens < 1) return false;
    a.tokens -= 1;
    b.tokens -= 1;
    c.tokens -= 1;
    return true;
  }

  private bucket(key: string, o: { burst: number; refillMs: number }, now: number) {
    const b = this.buckets.get(key) ?? { tokens: o.burst, at: now };
    b.tokens = Math.min(o.burst, b.tokens + (now - b.at) / o.refillMs);
    b.at = now;
    this.buckets.set(key, b);
    return b;
  }

  private prune(now: number): void {
    // Buckets untouched for an hour are full again: forgetting them changes nothing.
    for (const [k, b] of this.buckets) if (now - b.at > 3600_000) this.buckets.delete(k);
  }
}

function secureCookies(ctx: Ctx): boolean {
  return ctx.publicUrl.startsWith('https:');
}

/** Sets the session cookie: httpOnly, SameSite=Lax, Path=/, Secure when Klaxon is served over https. */
export function setSessionCookie(ctx: Ctx, reply: FastifyReply, token: string, expiresAt: number): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(ctx),
    path: '/',
    maxAge: Math.max(0, Math.floor((expiresAt - ctx.clock.now()) / 1000)),
  });
}

function clearSessionCookie(ctx: Ctx, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: secureCookies(ctx), path: '/' });
}

/** Browsers can send forms cross-site but not JSON: sign-in and setup take JSON only (no login CSRF). */
function requireJson(req: FastifyRequest): void {
  const ct = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(ct)) throw new AppError('invalid', 'Send the request as application/json');
}

/**
 * Registers cookie parsing and the hook that re-sends the session cookie when a request slid the
 * session's expiry, so the browser's copy lives as long as the database's. Call at the root.
 */
export async function registerSessionCookies(app: App, ctx: Ctx): Promise<void> {
  await app.register(cookie);
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.session?.slid && !reply.hasHeader('set-cookie')) {
      const token = req.cookies[SESSION_COOKIE];
      if (token) setSessionCookie(ctx, reply, token, req.session.expiresAt);
    }
    return payload;
  });
}

/** Sign-in, sign-out, the current session, first-run setup and the Web Push public key. Under /api/v1. */
export async function authRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;
  const tags = ['auth'];
  const throttle = new LoginThrottle(ctx.clock);

  app.post(
    '/auth/login',
    { schema: { tags, body: C.LoginBody, summary: 'Sign in: sets the klaxon_session cookie and returns the CSRF token', security: [], response: { 200: C.Session } } },
    async (req, reply) => {
      requireJson(req);
      if (!throttle.take(req.body.email, req.ip)) throw new AppError('rate_limited', 'Too many sign-in attempts: wait a minute and try again');
      // KLAXON_PASSWORD_SIGNIN=off: only the break-glass accounts may use a password (docs/sso.md).
      const breakGlass = deps.sso && !deps.sso.passwordSignIn;
      if (breakGlass && !must(deps.sso, 'deps.sso').breakGlassEmails.includes(req.body.email.trim().toLowerCase()))
        throw new AppError('forbidden', 'Password sign-in is off here: sign in with single sign-on');
      const user = await checkCredentials(ctx, req.body.email, req.body.password);
      if (!user) {
        await auditNow(ctx, { type: 'system', name: req.body.email }, 'auth.login_failed', req.body.email, { email: req.body.email }, { via: 'web', address: req.ip, actorType: 'anonymous' });
        throw new AppError('unauthenticated', 'Wrong email or password');
      }
      await auditNow(ctx, { type: 'user', id: user.id, name: user.name, role: user.role }, 'auth.login', user.id, { method: 'password' }, { via: 'web', address: req.ip });
      if (breakGlass) await audit(ctx.db.kysely, ctx.clock.now(), { type: 'user', id: user.id, name: user.name, role: user.role }, 'auth.break-glass-sign-in', user.id, { ip: req.ip });
      const s = await createSession(ctx, user.id);
      setSessionCookie(ctx, reply, s.token, s.expiresAt);
      return { user, csrfToken: s.csrfToken };
    },
  );

  // "Forgot password": 3 requests per email and address, then one every 10 minutes; 30 per address.
  const resetThrottle = new LoginThrottle(ctx.clock, { burst: 3, refillMs: 600_000 }, { burst: 30, refillMs: 60_000 }, { burst: 5, refillMs: 600_000 });
  app.post(
    '/auth/forgot-password',
    {
      schema: {
        tags,
        body: C.ForgotPasswordBody,
        summary: 'Emails a one-time link (1 hour) to set a new password; 202 whether or not the email is known',
        security: [],
        response: { 202: C.MessageAnswer },
      },
    },
    async (req, reply) => {
      requireJson(req);
      if (!resetThrottle.take(req.body.email, req.ip)) throw new AppError('rate_limited', 'Too many password reset requests: wait 10 minutes and try again');
      await requestPasswordReset(ctx, req.body.email);
      return reply.status(202).send({ message: 'If that email belongs to an account, a link to set a new password is on its way.' });
    },
  );

  const setThrottle = new LoginThrottle(ctx.clock, { burst: 10, refillMs: 60_000 }, { burst: 30, refillMs: 6_000 }, { burst: 1_000_000, refillMs: 1 });
  app.post(
    '/auth/set-password',
    {
      schema: {
        tags,
        body: C.SetPasswordBody,
        summary: 'Sets a password with the one-time link from an invitation or a reset; 400 when the link is used or expired',
        security: [],
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      requireJson(req);
      if (!setThrottle.take('link', req.ip)) throw new AppError('rate_limited', 'Too many attempts: wait a minute and try again');
      await setPasswordWithLink(ctx, req.body.token, req.body.password);
      return reply.status(204).send();
    },
  );

  app.post('/auth/logout', { schema: { tags, summary: 'Sign out: ends the session and clears the cookie', security: [], response: { 204: NoContent } } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      const session = await authenticateSession(ctx, token);
      if (session && !csrfMatches(session, req.headers[CSRF_HEADER])) throw new AppError('forbidden', 'missing or wrong CSRF token');
      await endSession(ctx, token);
      if (session) await auditNow(ctx, session.actor, 'auth.logout', session.actor.id, {}, { via: 'web', address: req.ip });
    }
    clearSessionCookie(ctx, reply);
    return reply.status(204).send();
  });

  app.get(
    '/auth/session',
    { schema: { tags, querystring: C.SessionQuery, summary: 'The signed-in user and the CSRF token for this session, or 401', security: [], response: { 200: C.SessionAnswer } } },
    async (req) => {
      const token = req.cookies[SESSION_COOKIE];
      const session = token ? await authenticateSession(ctx, token) : null;
      if (!session && req.query.optional === 'true') return { user: null, csrfToken: null };
      if (!session) throw new AppError('unauthenticated', 'Not signed in');
      req.session = session;
      req.actorCache = session.actor;
      return { user: await users.getUser(ctx, session.actor, session.actor.id), csrfToken: session.csrfToken };
    },
  );

  app.get('/setup', { schema: { tags, summary: 'Whether first-run setup is needed (no users yet)', security: [], response: { 200: C.SetupNeededAnswer } } }, async () => ({
    needed: await users.setupNeeded(ctx),
  }));

  app.post(
    '/setup',
    { schema: { tags, body: C.SetupBody, summary: 'First-run setup: creates the first admin and signs them in; 409 once any user exists', security: [], response: { 201: C.Session } } },
    async (req, reply) => {
      requireJson(req);
      const user = await users.createFirstAdmin(ctx, req.body);
      const s = await createSession(ctx, user.id);
      setSessionCookie(ctx, reply, s.token, s.expiresAt);
      return reply.status(201).send({ user, csrfToken: s.csrfToken });
    },
  );

  app.get(
    '/push/vapid-public-key',
    { schema: { tags: ['push'], summary: 'The VAPID public key, for PushManager.subscribe({applicationServerKey})', security: [], response: { 200: C.VapidKeyAnswer } } },
    async () => {
      if (!deps.vapidPublicKey) throw new AppError('not_found', 'Web Push is not configured');
      return { publicKey: deps.vapidPublicKey };
    },
  );
}
