import fc from 'fast-check';
import { createLocalJWKSet, exportJWK, exportPKCS8, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGoogleChat } from '../../../test/fakes/googlechat/server.js';
import { EgressPolicy, parseEgressAllow } from '../../lib/egress.js';
import { must } from '../../lib/must.js';
import type { Message } from '../../notify/types.js';
import { normalizeAddress } from '../../user/service.js';
import { GoogleChatWebhooks, isGoogleChatWebhook } from './client.js';
import { GoogleChatApi } from './api.js';
import { parseServiceAccountKey, ServiceAccountTokens } from './auth.js';
import { googleChatPlatform, isGoogleChatCommand, parseGoogleChatEvent } from './platform.js';
import { renderGoogleChat } from './render.js';
import { GoogleChatTokens, GOOGLECHAT_ISSUER } from './token.js';

const NOW = Date.parse('2026-03-02T09:00:00Z');
const AUD = '1234567890';

const samplePage = (): Message => ({
  kind: 'page',
  incidentId: 'inc-1',
  incidentNumber: 42,
  title: 'Checkout down',
  serviceName: 'web',
  severity: 'critical',
  status: 'triggered',
  details: 'HTTP 500',
  alertCount: 1,
  createdAt: NOW,
  incidentUrl: 'https://klaxon.example.com/incidents/42',
  ackUrl: 'https://klaxon.example.com/a',
  resolveUrl: 'https://klaxon.example.com/r',
});

describe('Google Chat bearer tokens', () => {
  let key: CryptoKey;
  let other: CryptoKey;
  let tokens: GoogleChatTokens;
  const sign = (k: CryptoKey, claims: Record<string, unknown>, kid = 'k1') => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(k);
  const iat = Math.floor(NOW / 1000);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    other = (await generateKeyPair('RS256')).privateKey;
    tokens = new GoogleChatTokens(AUD, createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] }));
  });

  it('accepts Google-signed tokens for this app only, at the injected time', async () => {
    const good = { iss: GOOGLECHAT_ISSUER, aud: AUD, iat, exp: iat + 3600 };
    expect(await tokens.verify(`Bearer ${await sign(key, good)}`, NOW)).toBe(true);
    expect(await tokens.verify(`Bearer ${await sign(key, good)}`, NOW + 3601_000)).toBe(false);
    expect(await tokens.verify(`Bearer ${await sign(other, good)}`, NOW)).toBe(false);
    expect(await tokens.verify(`Bearer ${await sign(key, { ...good, aud: '999' })}`, NOW)).toBe(false);
    expect(await tokens.verify(`Bearer ${await sign(key, { ...good, iss: 'x@example.com' })}`, NOW)).toBe(false);
    expect(await tokens.verify(`Bearer ${await sign(key, { iss: GOOGLECHAT_ISSUER, aud: AUD, iat })}`, NOW)).toBe(false);
    expect(await tokens.verify(await sign(key, good), NOW)).toBe(false);
    expect(await tokens.verify(undefined, NOW)).toBe(false);
  });

  it('property: any header that is not a valid token is refused without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (h) => {
        expect(await tokens.verify(h, NOW)).toBe(false);
        expect(await tokens.verify(`Bearer ${h}`, NOW)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe('Google Chat events, renderer and addresses', () => {
  it('parses card clicks (both parameter shapes) and mentions', () => {
    const user = { name: 'users/123' };
    expect(parseGoogleChatEvent({ type: 'CARD_CLICKED', user, space: { name: 'spaces/A' }, common: { invokedFunction: 'klaxon_resolve', parameters: { incident: 'inc-1' } } })).toEqual({
      kind: 'action',
      userId: 'users/123',
      incident: 'inc-1',
      action: 'resolve',
      channelId: 'spaces/A',
    });
    expect(parseGoogleChatEvent({ type: 'CARD_CLICKED', user, action: { actionMethodName: 'klaxon_ack', parameters: [{ key: 'incident', value: 'inc-2' }] } })).toMatchObject({
      kind: 'action',
      action: 'ack',
      incident: 'inc-2',
    });
    expect(parseGoogleChatEvent({ type: 'CARD_CLICKED', user, common: { invokedFunction: 'toString', parameters: { incident: 'x' } } }).kind).toBe('reply');
    expect(parseGoogleChatEvent({ type: 'MESSAGE', user, space: { name: 'spaces/A' }, message: { text: '@Klaxon ack 42', argumentText: ' ack 42' } })).toEqual({
      kind: 'command',
      channelId: 'spaces/A',
      userId: 'users/123',
      text: 'ack 42',
    });
    expect(parseGoogleChatEvent({ type: 'MESSAGE', user, message: { text: '@Klaxon resolve 7' } })).toMatchObject({ kind: 'command', text: 'resolve 7' });
  });

  it('property: any JSON body with a valid token is answered without throwing; a missing token is refused', async () => {
    const platform = googleChatPlatform(new GoogleChatWebhooks({ webhookBaseUrl: 'https://chat.googleapis.com', egress: new EgressPolicy() }), {
      verify: async (h: unknown) => h === 'Bearer ok',
    } as unknown as GoogleChatTokens);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .record({ type: fc.constantFrom('CARD_CLICKED', 'MESSAGE', 'ADDED_TO_SPACE'), user: fc.anything(), common: fc.anything(), action: fc.anything(), message: fc.anything() })
            .map((x) => JSON.stringify(x)),
        ),
        async (body) => {
          const r = await platform.inbound('events', { headers: { authorization: 'Bearer ok' }, rawBody: body, contentType: 'application/json', now: NOW });
          expect(['reply', 'action', 'command', 'message', 'ignore']).toContain(r.kind);
          expect((await platform.inbound('events', { headers: {}, rawBody: body, contentType: 'application/json', now: NOW })).kind).toBe('refuse');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('property: rendered text stays within 4096 characters and never mentions anyone', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 5000 }), (s) => {
        for (const m of [
          { kind: 'reply', text: s },
          { ...samplePage(), title: s, details: s, serviceName: s },
        ] as Message[]) {
          const r = renderGoogleChat(m);
          expect(r.text.length).toBeLessThanOrEqual(4096);
          expect(r.text).not.toMatch(/<(users|https?:)/);
        }
      }),
    );
  });

  it('property: addresses are users/<id>, spaces/<id> or a webhook URL; the provider posts only to the configured origin', () => {
    expect(normalizeAddress('googlechat', 'users/123')).toEqual({ value: 'users/123' });
    expect(normalizeAddress('googlechat', ' spaces/AAAA_b-1 ')).toEqual({ value: 'spaces/AAAA_b-1' });
    expect(normalizeAddress('googlechat', 'spaces/AAAA/threads/B')).toHaveProperty('error');
    expect(normalizeAddress('googlechat', 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t')).toEqual({ value: 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t' });
    expect(normalizeAddress('googlechat', 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k')).toHaveProperty('error');
    expect(isGoogleChatWebhook('https://chat.googleapis.com', 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t')).toBe(true);
    expect(isGoogleChatWebhook('https://chat.googleapis.com', 'https://evil.example/v1/spaces/AAAA/messages?key=k&token=t')).toBe(false);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = normalizeAddress('googlechat', s);
        if ('value' in r) expect(/^users\/\d+$/.test(r.value) || /^spaces\/[\w-]+$/.test(r.value) || new URL(r.value).pathname.startsWith('/v1/spaces/')).toBe(true);
      }),
    );
  });

  it('the provider refuses, permanently and without a request, a webhook on another origin and a users/<id> destination', async () => {
    const p = new GoogleChatWebhooks({ webhookBaseUrl: 'http://127.0.0.1:1', egress: new EgressPolicy() });
    const send = (destination: string) => p.send({ destination, message: { kind: 'reply', text: 'hi' } } as Parameters<GoogleChatWebhooks['send']>[0]);
    await expect(send('https://evil.example/v1/spaces/AAAA/messages?key=k&token=t')).rejects.toMatchObject({ permanent: true, providerStatus: 'bad_destination' });
    await expect(send('users/123')).rejects.toMatchObject({ permanent: true, providerStatus: 'not_a_space', message: expect.stringContaining('KLAXON_GOOGLECHAT_SERVICE_ACCOUNT') });
    await expect(send('spaces/AAAA')).rejects.toMatchObject({ permanent: true, providerStatus: 'no_api' });
    await expect(send('#spaces/AAAA/threads/BBBB')).rejects.toMatchObject({ permanent: true, providerStatus: 'no_api' });
  });
});

describe('Google Chat messages in threads, commands and service-account keys', () => {
  const user = { name: 'users/123', displayName: 'Erin', type: 'HUMAN' };
  const space = { name: 'spaces/A', type: 'ROOM', spaceType: 'SPACE' };
  const inThread = (argumentText: string, extra: Record<string, unknown> = {}) => ({
    type: 'MESSAGE',
    user,
    space,
    message: { name: 'spaces/A/messages/m1', sender: user, text: `@Klaxon${argumentText}`, argumentText, thread: { name: 'spaces/A/threads/T1' }, ...extra },
  });

  it('in a thread, "@Klaxon <text>" is a chat message unless it starts with a command word; direct messages and slash commands are commands; bots are ignored', () => {
    expect(parseGoogleChatEvent(inThread(' Card processor returns 503'))).toEqual({
      kind: 'message',
      channelId: 'spaces/A/threads/T1',
      userId: 'users/123',
      userName: 'Erin',
      messageId: 'spaces/A/messages/m1',
      text: 'Card processor returns 503',
    });
    expect(parseGoogleChatEvent(inThread(' sev 2'))).toEqual({ kind: 'command', channelId: 'spaces/A/threads/T1', userId: 'users/123', text: 'sev 2' });
    expect(parseGoogleChatEvent(inThread(' /page @pat'))).toMatchObject({ kind: 'command', text: '/page @pat' });
    expect(parseGoogleChatEvent(inThread(''))).toMatchObject({ kind: 'command', text: '' });
    expect(parseGoogleChatEvent(inThread(' hello', { slashCommand: { commandId: '1' } }))).toMatchObject({ kind: 'command', text: 'hello' });
    expect(parseGoogleChatEvent({ ...inThread(' hello'), space: { name: 'spaces/D', type: 'DM', singleUserBotDm: true } })).toMatchObject({ kind: 'command', text: 'hello' });
    expect(parseGoogleChatEvent({ ...inThread(' hello'), user: { name: 'users/9', type: 'BOT' } })).toEqual({ kind: 'ignore' });
    expect(parseGoogleChatEvent(inThread(' hello', { sender: { name: 'users/9', type: 'BOT' } }))).toEqual({ kind: 'ignore' });
  });

  it('property: a text is a command exactly when its first word (after an optional / or !) is a command word', () => {
    const words = ['ack', 'acknowledge', 'resolve', 'declare', 'help', 'sev', 'role', 'page', 'update', 'task', 'runbook', 'runbooks', 'run'];
    fc.assert(
      fc.property(fc.constantFrom('', '/', '!'), fc.constantFrom(...words), fc.string({ maxLength: 40 }), (prefix, word, rest) => {
        expect(isGoogleChatCommand(`${prefix}${word.toUpperCase()}${rest ? ` ${rest}` : ''}`)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const first = s.trim().split(/\s+/)[0] ?? '';
        expect(isGoogleChatCommand(s)).toBe(!first || words.includes(first.replace(/^[/!]/, '').toLowerCase()));
      }),
      { numRuns: 300 },
    );
    expect(isGoogleChatCommand('acks are late')).toBe(false);
    expect(isGoogleChatCommand('paged twice')).toBe(false);
  });

  it('property: a thread message is stored under its thread and message names, whatever else the event holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.anything(), (text, junk) => {
        const r = parseGoogleChatEvent({ ...inThread(` zz${text}`), common: junk, action: junk });
        expect(r).toMatchObject({ kind: 'message', channelId: 'spaces/A/threads/T1', messageId: 'spaces/A/messages/m1' });
      }),
    );
  });

  it('service-account keys: the fields Klaxon needs, checked; anything else is refused with a reason, never thrown', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    const good = { type: 'service_account', client_email: 'k@p.iam.gserviceaccount.com', private_key: pem, private_key_id: 'abc', token_uri: 'https://oauth2.googleapis.com/token' };
    expect(parseServiceAccountKey(JSON.stringify(good))).toEqual({ clientEmail: good.client_email, privateKey: pem, privateKeyId: 'abc', tokenUri: good.token_uri });
    expect(parseServiceAccountKey(JSON.stringify({ ...good, token_uri: undefined, private_key_id: undefined }))).toEqual({
      clientEmail: good.client_email,
      privateKey: pem,
      tokenUri: 'https://oauth2.googleapis.com/token',
    });
    expect(parseServiceAccountKey(JSON.stringify({ ...good, type: 'authorized_user' }))).toEqual({ error: 'type is "authorized_user", not "service_account"' });
    expect(parseServiceAccountKey(JSON.stringify({ ...good, private_key: 'nope' }))).toHaveProperty('error', expect.stringContaining('private_key'));
    expect(parseServiceAccountKey(JSON.stringify({ ...good, client_email: 3 }))).toHaveProperty('error', expect.stringContaining('client_email'));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.record({ type: fc.anything(), client_email: fc.anything(), private_key: fc.anything(), token_uri: fc.anything() }).map((x) => JSON.stringify(x)),
        ),
        (s) => {
          const r = parseServiceAccountKey(s);
          expect('error' in r ? typeof r.error : typeof r.privateKey).toBe('string');
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Google Chat API client against the fake', () => {
  let gc: FakeGoogleChat;
  let api: GoogleChatApi;
  let tokens: ServiceAccountTokens;
  let clock = NOW;
  const egress = new EgressPolicy(parseEgressAllow('127.0.0.1/32'));

  beforeAll(async () => {
    gc = new FakeGoogleChat(() => clock);
    const { url } = await gc.start();
    const key = parseServiceAccountKey(JSON.stringify(await gc.serviceAccount()));
    if ('error' in key) throw new Error(key.error);
    tokens = new ServiceAccountTokens(key, { egress, now: () => clock });
    api = new GoogleChatApi({ baseUrl: url, tokens, egress });
  });
  afterAll(() => gc.close());

  it('caches the token until a minute before it expires; a 401 gets a fresh token and one more try', async () => {
    const space = gc.addSpace('Ops');
    expect((await api.createMessage(space.name, { text: 'one' })).name).toMatch(new RegExp(`^${space.name}/messages/`));
    await api.createMessage(space.name, { text: 'two' });
    expect(gc.tokenRequests.filter((r) => r.status === 200)).toHaveLength(1);
    clock += 3540_000;
    await api.createMessage(space.name, { text: 'three' });
    expect(gc.tokenRequests.filter((r) => r.status === 200)).toHaveLength(2);
    gc.revokeTokens();
    await api.createMessage(space.name, { text: 'four' });
    expect(gc.tokenRequests.filter((r) => r.status === 200)).toHaveLength(3);
    expect(gc.apiCalls.map((c) => c.status)).toEqual([200, 200, 200, 401, 200]);
    expect(gc.messages.items.map((m) => m.text)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('the same requestId posts once; an unknown thread, a space without the app and a person without the app fail permanently with the reason', async () => {
    const space = gc.addSpace('Ops 2');
    const a = await api.createMessage(space.name, { text: 'once' }, { requestId: 'r1' });
    const b = await api.createMessage(space.name, { text: 'once' }, { requestId: 'r1' });
    expect(b.name).toBe(a.name);
    expect(gc.messages.items.filter((m) => m.space.name === space.name)).toHaveLength(1);
    await expect(api.createMessage(space.name, { text: 'x' }, { thread: { name: `${space.name}/threads/nope` } })).rejects.toMatchObject({ permanent: true, providerStatus: 'NOT_FOUND' });
    const started = await api.createMessage(space.name, { text: 'first' }, { thread: { threadKey: 'klaxon-incident-1' } });
    const again = await api.createMessage(space.name, { text: 'second' }, { thread: { threadKey: 'klaxon-incident-1' } });
    expect(again.thread).toBe(started.thread);
    expect((await api.createMessage(space.name, { text: 'reply' }, { thread: { name: must(started.thread, 'a thread') } })).thread).toBe(started.thread);
    const closed = gc.addSpace('No app', { app: false });
    await expect(api.createMessage(closed.name, { text: 'x' })).rejects.toMatchObject({ permanent: true, message: expect.stringContaining('is the Klaxon app a member of the space?') });
    const pat = gc.addUser('Pat');
    await expect(api.sendDirect(pat.name, { text: 'x' })).rejects.toMatchObject({
      permanent: true,
      providerStatus: 'no_direct_message',
      message: expect.stringContaining(`${pat.name} has no direct message with the Klaxon app`),
    });
    const dm = gc.addApp(pat);
    await api.sendDirect(pat.name, { text: 'hello Pat' });
    expect(gc.messages.items.at(-1)).toMatchObject({ space: { name: dm }, text: 'hello Pat', via: 'api' });
  });

  it('a token endpoint that refuses the assertion is a clear, permanent error', async () => {
    const other = parseServiceAccountKey(JSON.stringify({ ...(await new FakeGoogleChat().serviceAccount()), token_uri: `${gc.url}/token` }));
    if ('error' in other) throw new Error(other.error);
    const wrong = new ServiceAccountTokens(other, { egress, now: () => clock });
    await expect(wrong.token()).rejects.toMatchObject({ permanent: true, providerStatus: 'token', message: expect.stringContaining('invalid_grant') });
  });
});
