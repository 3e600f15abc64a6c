import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allKinds, samplePage } from '../../../../test/fakes/messages.js';
import type { PageMessage } from '../../types.js';
import { pushoverCallbackToken, renderPushover } from './index.js';
import { must } from '../../../lib/must.js';

describe('renderPushover', () => {
  it('a high-urgency page is emergency priority with retry, expire and the callback', () => {
    expect(renderPushover(samplePage({ urgency: 'high' }), { callback: 'https://k/cb?message=m&token=t' })).toEqual({
      title: '#42 DB down',
      message: 'checkout-api · CRITICAL · 3 alerts\nconnection refused: postgres-primary:5432\nerror rate 87%',
      priority: '2',
      timestamp: String(Date.parse('2026-01-05T09:00:00Z') / 1000),
      url: 'https://klaxon.example.com/incidents/42',
      url_title: 'Open incident #42',
      retry: '60',
      expire: '3600',
      callback: 'https://k/cb?message=m&token=t',
    });
  });

  it('for any page: priority 2 with retry >= 30 and expire <= 10800 unless low urgency (then 0, no callback); within Pushover limits', () => {
    fc.assert(
      fc.property(
        fc.record({
          title: fc.string({ maxLength: 600 }),
          serviceName: fc.string({ maxLength: 200 }),
          details: fc.string({ maxLength: 3000 }),
          urgency: fc.constantFrom<PageMessage['urgency']>('high', 'low', undefined),
          drill: fc.boolean(),
        }),
        (over) => {
          const r = renderPushover(samplePage(over), { callback: 'https://k/cb' });
          if (over.urgency === 'low') {
            expect(r.priority).toBe('0');
            expect(r.callback).toBeUndefined();
            expect(r.retry).toBeUndefined();
          } else {
            expect(r.priority).toBe('2');
            expect(Number(r.retry)).toBeGreaterThanOrEqual(30);
            expect(Number(r.expire)).toBeLessThanOrEqual(10800);
          }
          expect(must(r.title, 'r.title').length).toBeLessThanOrEqual(250);
          expect(must(r.message, 'r.message').length).toBeGreaterThan(0);
          expect(must(r.message, 'r.message').length).toBeLessThanOrEqual(1024);
          expect(must(r.title, 'r.title').startsWith('DRILL ')).toBe(over.drill);
        },
      ),
    );
  });

  it('every other kind is a normal-priority message', () => {
    for (const m of allKinds.filter((k) => k.kind !== 'page')) expect(renderPushover(m)).toMatchObject({ priority: '0', title: expect.stringMatching(/^Klaxon/), message: expect.any(String) });
  });

  it('the callback token is per message and per secret', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (secret, a, b) => {
        expect(pushoverCallbackToken(secret, a) === pushoverCallbackToken(secret, b)).toBe(a === b);
        expect(pushoverCallbackToken(secret, a)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }),
    );
  });
});
