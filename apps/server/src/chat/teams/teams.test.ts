import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplePage } from '../../../test/fakes/messages.js';
import type { Message } from '../../notify/types.js';
import { must } from '../../lib/must.js';
import { normalizeAddress } from '../../user/service.js';
import { TEAMS_CHANNEL, teamsChannelOf } from './client.js';
import type { BotConnectorAuth } from './auth.js';
import type { TeamsClient } from './client.js';
import { activityRefs, commandText, messageText, parseActivity, teamsPlatform } from './platform.js';
import { ADAPTIVE_CARD, escapeTeams, renderTeams } from './render.js';

const aad = '0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9';
const base = { type: 'message', id: 'a1', serviceUrl: 'https://smba.example/amer/', conversation: { id: 'c1' }, from: { id: '29:1x', aadObjectId: aad.toUpperCase() } };

describe('Teams activities', () => {
  it('Action.Submit data is an action; @mention text is a command; the person is the Entra object id, else the Teams id', () => {
    expect(parseActivity({ ...base, value: { action: 'ack', incident: 'inc-1' } })).toMatchObject({ kind: 'action', action: 'ack', incident: 'inc-1', userId: aad, channelId: 'c1' });
    expect(parseActivity({ ...base, text: '<at>Klaxon</at>&nbsp;resolve  42' })).toMatchObject({ kind: 'command', text: 'resolve 42', userId: aad });
    expect(parseActivity({ ...base, from: { id: '29:1x' }, text: 'ack 4' })).toMatchObject({ kind: 'command', userId: '29:1x' });
    expect(parseActivity({ ...base, value: { action: 'delete', incident: 'x' }, text: '' })).toEqual({ kind: 'ignore' });
    expect(parseActivity({ ...base, type: 'conversationUpdate' })).toEqual({ kind: 'ignore' });
    expect(parseActivity({ ...base, value: { action: 'join', incident: 'inc-1' } })).toMatchObject({ kind: 'action', action: 'join' });
  });

  it('in a channel, a message that @mentions the bot is a command and any other is a war-room message; the bot itself is ignored', () => {
    const bot = { id: '28:app', name: 'Klaxon' };
    const thread = '19:abc@thread.tacv2;messageid=17';
    const ch = { ...base, id: 'm9', conversation: { id: thread, conversationType: 'channel' }, recipient: bot };
    expect(parseActivity({ ...ch, text: 'Rolled <b>back</b> &amp; <at>Pat</at> checks' })).toEqual({
      kind: 'message',
      channelId: thread,
      userId: aad,
      messageId: 'm9',
      text: 'Rolled back & @Pat checks',
    });
    expect(parseActivity({ ...ch, text: '<at>Klaxon</at> sev 2', entities: [{ type: 'mention', mentioned: bot }] })).toMatchObject({ kind: 'command', text: 'sev 2', channelId: thread });
    // Mentioning someone else is not a command.
    expect(parseActivity({ ...ch, text: '<at>Pat</at> look', entities: [{ type: 'mention', mentioned: { id: '29:pat' } }] })).toMatchObject({ kind: 'message', text: '@Pat look' });
    expect(parseActivity({ ...ch, from: bot, text: 'War room of #4' })).toEqual({ kind: 'ignore' });
    expect(parseActivity({ ...ch, from: { id: '28:other-bot' }, text: 'hi' })).toEqual({ kind: 'ignore' });
  });

  it('a signed activity teaches the tenant, the service URL, the sender (both ids) and the channel; nothing without a tenant', () => {
    const url = 'https://smba.example/amer/';
    const refs = activityRefs(
      { ...base, conversation: { id: '19:abc@thread.tacv2;messageid=17', conversationType: 'channel' }, channelData: { tenant: { id: 't1' }, team: { id: '19:abc@thread.tacv2' } } },
      url,
    );
    expect(refs).toEqual([
      { kind: 'tenant', ref: 't1', tenantId: 't1', serviceUrl: url },
      { kind: 'user', ref: aad, tenantId: 't1', serviceUrl: url, memberId: '29:1x' },
      { kind: 'user', ref: '29:1x', tenantId: 't1', serviceUrl: url, memberId: '29:1x' },
      { kind: 'channel', ref: '19:abc@thread.tacv2', tenantId: 't1', serviceUrl: url },
    ]);
    expect(activityRefs({ ...base, conversation: { id: 'a:1chat', conversationType: 'personal', tenantId: 't1' } }, url)[1]).toMatchObject({ conversationId: 'a:1chat' });
    expect(activityRefs(base, url)).toEqual([]);
    expect(activityRefs({ ...base, channelData: { tenant: { id: 't1' } } }, 'javascript:alert(1)')).toEqual([]);
  });

  it('property: any activity yields references of a tenant and http(s) service URL only, channels matching the channel id form', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            type: fc.string(),
            from: fc.oneof(
              fc.anything(),
              fc.record({
                id: fc.oneof(
                  fc.string(),
                  fc.string().map((x) => `29:${x}`),
                ),
                aadObjectId: fc.oneof(fc.uuid(), fc.string()),
              }),
            ),
            conversation: fc.oneof(fc.anything(), fc.record({ id: fc.string(), conversationType: fc.constantFrom('personal', 'channel', 'groupChat'), tenantId: fc.string() })),
            channelData: fc.oneof(fc.anything(), fc.record({ tenant: fc.record({ id: fc.string() }), channel: fc.record({ id: fc.string() }) })),
          },
          { requiredKeys: [] },
        ),
        fc.oneof(fc.webUrl(), fc.string()),
        (a, url) => {
          for (const r of activityRefs(a as Record<string, unknown>, url)) {
            expect(r.serviceUrl).toBe(url);
            expect(url).toMatch(/^https?:\/\//);
            expect(r.tenantId).toMatch(/^[A-Za-z0-9._-]{1,100}$/);
            if (r.kind === 'channel') {
              expect(TEAMS_CHANNEL.test(r.ref)).toBe(true);
              expect(teamsChannelOf(r.ref)).toBe(r.ref);
            }
            if (r.kind === 'user') expect(r.memberId).toMatch(/^29:/);
          }
        },
      ),
    );
  });

  it('property: any activity-shaped JSON parses without throwing into action, command, message or ignore; texts carry no markup', () => {
    fc.assert(
      fc.property(
        fc.record(
          { type: fc.oneof(fc.constant('message'), fc.string()), text: fc.oneof(fc.string(), fc.json()), value: fc.anything(), from: fc.anything(), conversation: fc.anything() },
          { requiredKeys: [] },
        ),
        (a) => {
          const r = parseActivity(a as Record<string, unknown>);
          expect(['action', 'command', 'message', 'ignore']).toContain(r.kind);
          if (r.kind === 'command') expect(r.text).not.toMatch(/<at>|^\s|\s$/);
          if (r.kind === 'message') expect(r.text).not.toMatch(/<at>|^\s|\s$/);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('<')),
        (s) => {
          expect(commandText(`<at>Klaxon</at> ${s}`)).toBe(commandText(s));
          expect(messageText(`<at>Pat</at> ${s}`)).toBe(commandText(`@Pat ${s}`));
        },
      ),
    );
  });
});

describe('Teams references', () => {
  it('are kept only from an activity whose token vouches for its service URL', async () => {
    const kept: unknown[] = [];
    const client = { remember: async (refs: unknown[]) => void kept.push(...refs) } as unknown as TeamsClient;
    const auth = (signedServiceUrl: boolean | null) => ({ check: async () => (signedServiceUrl === null ? null : { signedServiceUrl }) }) as unknown as BotConnectorAuth;
    const activity = { ...base, channelData: { tenant: { id: 't1' } }, text: 'ack 4' };
    const req = { headers: { authorization: 'Bearer x.y.z' }, rawBody: JSON.stringify(activity), contentType: 'application/json', now: 0 };
    expect((await teamsPlatform(client, auth(null)).inbound('messages', req)).kind).toBe('refuse');
    expect((await teamsPlatform(client, auth(false)).inbound('messages', req)).kind).toBe('command');
    expect(kept).toEqual([]);
    expect((await teamsPlatform(client, auth(true)).inbound('messages', req)).kind).toBe('command');
    expect(kept).toContainEqual({ kind: 'tenant', ref: 't1', tenantId: 't1', serviceUrl: base.serviceUrl });
  });
});

describe('Teams renderer', () => {
  it('a page is one Adaptive Card 1.4; Submit buttons only for the bot', () => {
    const page = { ...samplePage(), status: 'triggered' } as Message;
    const hook = renderTeams(page);
    expect(hook.type).toBe('message');
    expect(must(hook.attachments[0], 'the attachment').contentType).toBe(ADAPTIVE_CARD);
    expect(must(hook.attachments[0], 'the attachment').content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const actions = (c: ReturnType<typeof renderTeams>) => ((must(c.attachments[0], 'the attachment').content.actions ?? []) as { type: string }[]).map((x) => x.type);
    expect(actions(hook)).not.toContain('Action.Submit');
    expect(actions(renderTeams(page, { submit: true }))).toEqual(['Action.Submit', 'Action.Submit', 'Action.OpenUrl']);
    const major = must(renderTeams({ ...page, major: true } as Message, { submit: true }).attachments[0], 'the card').content.actions as { title: string; data?: unknown }[];
    expect(major.map((a) => a.title)).toEqual(['Acknowledge', 'Resolve', 'Join war room', 'Open incident']);
    expect(major[2]?.data).toEqual({ action: 'join', incident: (page as { incidentId: string }).incidentId });
    expect(actions(renderTeams({ ...page, major: true } as Message))).not.toContain('Action.Submit');
  });

  it('property: every message renders as one card; escaped text has no live emphasis, links or list markers', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (text) => {
        for (const m of [
          { kind: 'reply', text },
          { ...samplePage(), title: text, details: text },
        ] as Message[]) {
          const r = renderTeams(m);
          expect(r.attachments).toHaveLength(1);
          expect(JSON.stringify(r).length).toBeLessThan(30_000);
        }
        const e = escapeTeams(text);
        expect(e).not.toMatch(/(^|[^\\])[*_[\]]/);
        expect(e).not.toMatch(/^\s*([-+]|\d+\.)/m);
      }),
    );
  });
});

describe('Teams addresses', () => {
  it('a Workflows URL, an Entra object id (lower-cased) or a Teams user id; anything else is refused', () => {
    expect(normalizeAddress('teams', ` ${aad.toUpperCase()} `)).toEqual({ value: aad });
    expect(normalizeAddress('teams', '29:1AbC-d_e')).toEqual({ value: '29:1AbC-d_e' });
    expect(normalizeAddress('teams', 'https://x.logic.azure.com/workflows/1?sig=a')).toEqual({ value: 'https://x.logic.azure.com/workflows/1?sig=a' });
    expect(normalizeAddress('teams', 'erin')).toHaveProperty('error');
    expect(normalizeAddress('teams', 'ftp://x')).toHaveProperty('error');
  });

  it('property: an accepted address normalizes to itself', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), fc.webUrl(), fc.string()), (a) => {
        const r = normalizeAddress('teams', a);
        if ('value' in r) expect(normalizeAddress('teams', r.value)).toEqual(r);
      }),
    );
  });
});
