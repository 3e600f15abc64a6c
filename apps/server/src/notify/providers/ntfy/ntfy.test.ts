import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allKinds, samplePage } from '../../../../test/fakes/messages.js';
import type { PageMessage } from '../../types.js';
import { formatNtfyAddress, NTFY_TOPIC, parseNtfyAddress, renderNtfy } from './render.js';

const page = fc.record({
  title: fc.string({ maxLength: 400 }),
  serviceName: fc.string({ maxLength: 100 }),
  severity: fc.constantFrom('critical', 'error', 'warning', 'info', ''),
  status: fc.constantFrom('triggered', 'acknowledged', 'resolved'),
  details: fc.string({ maxLength: 2000 }),
  urgency: fc.constantFrom<PageMessage['urgency']>('high', 'low', undefined),
  drill: fc.boolean(),
  incidentNumber: fc.integer({ min: 1, max: 1e9 }),
  ackUrl: fc.oneof(fc.webUrl(), fc.string()),
});

describe('renderNtfy', () => {
  it('renders a page: priority 5, title, service and severity, click, Acknowledge / Resolve http actions', () => {
    expect(renderNtfy(samplePage({ urgency: 'high' }), 'maya')).toEqual({
      topic: 'maya',
      title: '#42 DB down',
      message: 'checkout-api · CRITICAL · 3 alerts\nconnection refused: postgres-primary:5432\nerror rate 87%',
      priority: 5,
      tags: ['rotating_light'],
      click: 'https://klaxon.example.com/incidents/42',
      actions: [
        { action: 'http', label: 'Acknowledge', url: 'https://klaxon.example.com/a/42?sig=abc&exp=1', method: 'POST', clear: true },
        { action: 'http', label: 'Resolve', url: 'https://klaxon.example.com/r/42?sig=def&exp=1', method: 'POST', clear: true },
        { action: 'view', label: 'Open', url: 'https://klaxon.example.com/incidents/42' },
      ],
    });
  });

  it('a low-urgency page is priority 3; an acknowledged one offers Resolve only', () => {
    const r = renderNtfy(samplePage({ urgency: 'low', status: 'acknowledged' }), 't');
    expect(r.priority).toBe(3);
    expect(r.actions?.map((a) => a.label)).toEqual(['Resolve', 'Open']);
  });

  it('for any page: priority 5 unless low urgency, at most 3 actions, only http(s) URLs, bounded sizes, DRILL first for drills', () => {
    fc.assert(
      fc.property(page, (over) => {
        const r = renderNtfy(samplePage(over), 'topic');
        expect(r.priority).toBe(over.urgency === 'low' ? 3 : 5);
        expect((r.actions ?? []).length).toBeLessThanOrEqual(3);
        for (const a of r.actions ?? []) expect(a.url).toMatch(/^https?:\/\//);
        expect(r.title.length).toBeLessThanOrEqual(200);
        expect(r.message.length).toBeLessThanOrEqual(1000);
        expect(r.title.startsWith('DRILL ')).toBe(over.drill);
        if (over.status === 'resolved') expect(r.actions?.some((a) => a.action === 'http')).toBeFalsy();
        expect(JSON.parse(JSON.stringify(r))).toEqual(r);
      }),
    );
  });

  it('renders every other kind with a title and text, never the account link', () => {
    for (const m of allKinds.filter((k) => k.kind !== 'page')) {
      const r = renderNtfy(m, 't');
      expect(r.title).toMatch(/^Klaxon/);
      expect(r.message.length).toBeGreaterThan(0);
      expect(r.actions).toBeUndefined();
    }
    expect(renderNtfy({ kind: 'verification', code: '123456', userName: 'A' }, 't').message).toContain('123456');
    expect(renderNtfy({ kind: 'account', event: 'invite', userName: 'A', url: 'https://k/set?secret=s', validFor: '7 days' }, 't').click).toBeUndefined();
  });
});

describe('parseNtfyAddress', () => {
  it('reads a topic URL and the JSON form, and says what is wrong otherwise', () => {
    expect(parseNtfyAddress('https://ntfy.example.com/alerts-maya')).toEqual({ server: 'https://ntfy.example.com', topic: 'alerts-maya', token: null });
    expect(parseNtfyAddress('https://example.com/ntfy/alerts')).toEqual({ server: 'https://example.com/ntfy', topic: 'alerts', token: null });
    expect(parseNtfyAddress('{"topic":"a","token":"tk_x"}')).toEqual({ server: null, topic: 'a', token: 'tk_x' });
    expect(parseNtfyAddress('ftp://x/a')).toMatchObject({ error: expect.stringContaining('topic URL') });
    expect(parseNtfyAddress('https://ntfy.sh/')).toMatchObject({ error: expect.stringContaining('topic') });
    expect(parseNtfyAddress('https://u:p@ntfy.sh/t')).toMatchObject({ error: expect.any(String) });
    expect(parseNtfyAddress('{"topic":"a b"}')).toMatchObject({ error: expect.stringContaining('topic:') });
    expect(parseNtfyAddress('{"topic":"a","server":"javascript:alert(1)"}')).toMatchObject({ error: expect.stringContaining('server:') });
    expect(parseNtfyAddress('{')).toMatchObject({ error: expect.stringContaining('does not parse') });
  });

  it('never throws; what it accepts has a valid topic and an http(s) server, and formats to a stable form', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl(),
          fc.json(),
          fc.record({ server: fc.oneof(fc.webUrl(), fc.string()), topic: fc.stringMatching(/^[A-Za-z0-9_ -]{0,70}$/), token: fc.string() }).map((o) => JSON.stringify(o)),
        ),
        (s) => {
          const r = parseNtfyAddress(s);
          if ('error' in r) return;
          expect(r.topic).toMatch(NTFY_TOPIC);
          if (r.server) expect(r.server).toMatch(/^https?:\/\//);
          const again = parseNtfyAddress(formatNtfyAddress(r));
          expect(again).toEqual(r);
        },
      ),
    );
  });
});
