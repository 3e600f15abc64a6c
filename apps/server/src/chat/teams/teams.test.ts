import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplePage } from '../../../test/fakes/messages.js';
import type { Message } from '../../notify/types.js';
import { normalizeAddress } from '../../user/service.js';
import { commandText, parseActivity } from './platform.js';
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
  });

  it('property: any activity-shaped JSON parses without throwing into action, command or ignore; commands carry no markup', () => {
    fc.assert(
      fc.property(
        fc.record(
          { type: fc.oneof(fc.constant('message'), fc.string()), text: fc.oneof(fc.string(), fc.json()), value: fc.anything(), from: fc.anything(), conversation: fc.anything() },
          { requiredKeys: [] },
        ),
        (a) => {
          const r = parseActivity(a as Record<string, unknown>);
          expect(['action', 'command', 'ignore']).toContain(r.kind);
          if (r.kind === 'command') expect(r.text).not.toMatch(/<at>|^\s|\s$/);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('<')),
        (s) => {
          expect(commandText(`<at>Klaxon</at> ${s}`)).toBe(commandText(s));
        },
      ),
    );
  });
});

describe('Teams renderer', () => {
  it('a page is one Adaptive Card 1.4; Submit buttons only for the bot', () => {
    const page = { ...samplePage(), status: 'triggered' } as Message;
    const hook = renderTeams(page);
    expect(hook.type).toBe('message');
    expect(hook.attachments[0]!.contentType).toBe(ADAPTIVE_CARD);
    expect(hook.attachments[0]!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const actions = (c: ReturnType<typeof renderTeams>) => ((c.attachments[0]!.content.actions ?? []) as { type: string }[]).map((x) => x.type);
    expect(actions(hook)).not.toContain('Action.Submit');
    expect(actions(renderTeams(page, { submit: true }))).toEqual(['Action.Submit', 'Action.Submit', 'Action.OpenUrl']);
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
