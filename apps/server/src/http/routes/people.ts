import * as C from '@klaxon/contract';
import { IdParams, NoContent } from '@klaxon/contract';
import * as tokens from '../../auth/tokens.js';
import { AppError, conflict } from '../../lib/errors.js';
import * as teams from '../../team/service.js';
import { inviteUser } from '../../auth/password-links.js';
import * as users from '../../user/service.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import { RateLimiter } from '../rate-limit.js';
import type { HttpDeps } from '../deps.js';

export { IdParams };

/** Users, contact methods, notification rules, API tokens and teams. */
export async function peopleRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;
  const tags = ['people'];
  app.get('/me', { schema: { tags, summary: 'The signed-in user', response: { 200: C.MeAnswer } } }, async (req) => {
    const a = await actorOf(ctx, req);
    return { user: a.type === 'user' ? await users.getUser(ctx, a, a.id) : null };
  });
  app.get('/users', { schema: { tags, querystring: C.UsersQuery, response: { 200: C.UsersAnswer } } }, async (req) => ({
    users: await users.listUsers(ctx, await actorOf(ctx, req), req.query.ids),
  }));
  app.post('/users', { schema: { tags, body: C.UserInput, response: { 201: C.UserAnswer } } }, async (req, reply) =>
    reply.status(201).send({ user: await users.createUser(ctx, await actorOf(ctx, req), req.body) }),
  );
  app.post(
    '/users/:id/invite',
    { schema: { tags, params: IdParams, summary: 'Emails the user a one-time link (7 days) to set their own password. Admins only', response: { 202: C.MessageAnswer } } },
    async (req, reply) => {
      await inviteUser(ctx, await actorOf(ctx, req), req.params.id);
      return reply.status(202).send({ message: 'Invitation sent' });
    },
  );
  app.get('/users/:id', { schema: { tags, params: IdParams, response: { 200: C.UserAnswer } } }, async (req) => ({ user: await users.getUser(ctx, await actorOf(ctx, req), req.params.id) }));
  // A stolen session must not become a way to guess the password: tries that give currentPassword
  // are limited per user (in memory, per instance), like sign-in.
  const passwordTries = new RateLimiter(ctx.clock);
  app.patch(
    '/users/:id',
    { schema: { tags, params: IdParams, body: C.UserPatch, summary: 'Change a user; your own password needs currentPassword (at most 10 tries a minute)', response: { 200: C.UserAnswer } } },
    async (req) => {
      const actor = await actorOf(ctx, req);
      if (req.body.currentPassword !== undefined && !passwordTries.take(`current-password:${req.params.id}`, 10))
        throw new AppError('rate_limited', 'Too many password change attempts: wait a minute and try again');
      return { user: await users.updateUser(ctx, actor, req.params.id, req.body) };
    },
  );
  app.delete('/users/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await users.deleteUser(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/users/:id/contact-methods', { schema: { tags, params: IdParams, response: { 200: C.ContactMethodsAnswer } } }, async (req) => ({
    contactMethods: await users.listContactMethods(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.post(
    '/users/:id/contact-methods',
    { schema: { tags, params: IdParams, body: C.ContactMethodInput, summary: 'Add a contact method; a verification code is sent to it', response: { 201: C.ContactMethodAnswer } } },
    async (req, reply) => reply.status(201).send({ contactMethod: await users.addContactMethod(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.post(
    '/contact-methods/:id/send-verification',
    { schema: { tags, params: IdParams, summary: 'Send a new verification code (the previous one stops working); good for 15 minutes from when it is sent', response: { 202: C.SentAnswer } } },
    async (req, reply) => {
      await users.sendVerification(ctx, await actorOf(ctx, req), req.params.id);
      return reply.status(202).send({ status: 'sent' });
    },
  );
  app.post(
    '/contact-methods/:id/mark-verified',
    {
      schema: {
        tags,
        params: IdParams,
        summary: 'Admins: mark a contact method verified without a code, recording how its owner consented',
        body: C.ConsentInput,
        response: { 200: C.ContactMethodAnswer },
      },
    },
    async (req) => ({
      contactMethod: await users.markContactMethodVerified(ctx, await actorOf(ctx, req), req.params.id, req.body.consent),
    }),
  );
  app.post(
    '/contact-methods/:id/verify',
    {
      schema: {
        tags,
        params: IdParams,
        summary: 'Verify a contact method with the 6-digit code it was sent (400 expired or wrong, 429 after five wrong codes)',
        body: C.VerifyInput,
        response: { 200: C.ContactMethodAnswer },
      },
    },
    async (req) => ({
      contactMethod: await users.verifyContactMethod(ctx, await actorOf(ctx, req), req.params.id, req.body.code),
    }),
  );
  app.post('/contact-methods/:id/test', { schema: { tags, params: IdParams, summary: 'Send me a test page', response: { 202: C.TestMessageAnswer } } }, async (req, reply) =>
    reply.status(202).send({ messageId: await users.sendTestMessage(ctx, await actorOf(ctx, req), req.params.id) }),
  );
  app.post(
    '/users/:id/telegram-link',
    { schema: { tags, params: IdParams, summary: 'A one-time code to link a Telegram chat: send /start CODE to the bot (409 when no bot is configured)', response: { 201: C.TelegramLinkAnswer } } },
    async (req, reply) => {
      if (!deps.telegram) throw conflict('Telegram is not configured on this server: an administrator sets KLAXON_TELEGRAM_BOT_TOKEN and KLAXON_TELEGRAM_WEBHOOK_SECRET');
      const r = await users.createTelegramLinkCode(ctx, await actorOf(ctx, req), req.params.id);
      const bot = deps.telegram.botUsername ?? null;
      return reply.status(201).send({ ...r, botUsername: bot, startUrl: bot ? `https://t.me/${bot}?start=${r.code}` : null });
    },
  );
  app.delete('/contact-methods/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await users.deleteContactMethod(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/users/:id/notification-rules', { schema: { tags, params: IdParams, response: { 200: C.NotificationRulesAnswer } } }, async (req) => ({
    notificationRules: await users.listNotificationRules(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.post('/users/:id/notification-rules', { schema: { tags, params: IdParams, body: C.NotificationRuleInput, response: { 201: C.NotificationRuleAnswer } } }, async (req, reply) =>
    reply.status(201).send({ notificationRule: await users.addNotificationRule(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.delete('/notification-rules/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await users.deleteNotificationRule(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/users/:id/tokens', { schema: { tags, params: IdParams, response: { 200: C.TokensAnswer } } }, async (req) => ({
    tokens: await tokens.listTokens(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.post(
    '/users/:id/tokens',
    { schema: { tags, params: IdParams, body: C.TokenInput, summary: 'Create an API token; the secret is shown once', response: { 201: C.NewTokenAnswer } } },
    async (req, reply) => {
      const r = await tokens.createToken(ctx, await actorOf(ctx, req), req.params.id, req.body);
      return reply.status(201).send({ token: r.token, apiToken: r.apiToken });
    },
  );
  app.delete('/tokens/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await tokens.revokeToken(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });

  const ttags = ['teams'];
  app.get('/teams', { schema: { tags: ttags, response: { 200: C.TeamsAnswer } } }, async (req) => ({ teams: await teams.listTeams(ctx, await actorOf(ctx, req)) }));
  app.post('/teams', { schema: { tags: ttags, body: C.TeamInput, response: { 201: C.TeamAnswer } } }, async (req, reply) =>
    reply.status(201).send({ team: await teams.createTeam(ctx, await actorOf(ctx, req), req.body) }),
  );
  app.get('/teams/:id', { schema: { tags: ttags, params: IdParams, response: { 200: C.TeamAnswer } } }, async (req) => ({ team: await teams.getTeam(ctx, await actorOf(ctx, req), req.params.id) }));
  app.put('/teams/:id', { schema: { tags: ttags, params: IdParams, body: C.TeamInput, response: { 200: C.TeamAnswer } } }, async (req) => ({
    team: await teams.updateTeam(ctx, await actorOf(ctx, req), req.params.id, req.body),
  }));
  app.delete('/teams/:id', { schema: { tags: ttags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await teams.deleteTeam(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
}
