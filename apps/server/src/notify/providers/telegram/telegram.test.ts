import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allKinds, samplePage } from '../../../../test/fakes/messages.js';
import { callbackData, parseCallbackData, parseStartCommand, renderTelegram } from './index.js';
import { must } from '../../../lib/must.js';

const ID = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('Telegram callback data and /start', () => {
  it('round-trips every action and outbox id within 64 bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom<'ack' | 'resolve'>('ack', 'resolve'), fc.uuid(), (action, id) => {
        const d = callbackData(action, id);
        expect(Buffer.byteLength(d)).toBeLessThanOrEqual(64);
        expect(parseCallbackData(d)).toEqual({ action, messageId: id });
      }),
    );
  });

  it('never throws on anything and accepts only its own shape', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const r = parseCallbackData(x);
        if (r) expect(typeof x === 'string' && /^(ack|res):/.test(x)).toBe(true);
      }),
    );
    expect(parseCallbackData('ack:')).toBeNull();
    expect(parseCallbackData(`del:${ID}`)).toBeNull();
  });

  it('reads /start CODE (with or without the bot name) and nothing else', () => {
    expect(parseStartCommand('/start ABCD2345EF')).toBe('ABCD2345EF');
    expect(parseStartCommand('/start@KlaxonBot ABCD2345EF ')).toBe('ABCD2345EF');
    expect(parseStartCommand('/start')).toBeNull();
    expect(parseStartCommand('start ABC')).toBeNull();
    expect(parseStartCommand('/start a b')).toBeNull();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseStartCommand(s);
        if (r !== null) expect(r).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      }),
    );
  });
});

describe('renderTelegram', () => {
  it('renders a page with Acknowledge / Resolve callback buttons and an Open link', () => {
    const r = renderTelegram(samplePage(), ID);
    expect(r.text.split('\n').slice(0, 2)).toEqual(['🚨 #42 DB down', 'checkout-api · CRITICAL · 3 alerts']);
    expect(must(r.reply_markup, 'r.reply_markup').inline_keyboard).toEqual([
      [
        { text: 'Acknowledge', callback_data: `ack:${ID}` },
        { text: 'Resolve', callback_data: `res:${ID}` },
      ],
      [{ text: 'Open', url: 'https://klaxon.example.com/incidents/42' }],
    ]);
  });

  it('for any page: text within 4096, buttons follow the status, DRILL first for drills', () => {
    fc.assert(
      fc.property(
        fc.record({ title: fc.string({ maxLength: 5000 }), details: fc.string({ maxLength: 5000 }), status: fc.constantFrom('triggered', 'acknowledged', 'resolved'), drill: fc.boolean() }),
        (over) => {
          const r = renderTelegram(samplePage(over), ID);
          expect(r.text.length).toBeGreaterThan(0);
          expect(r.text.length).toBeLessThanOrEqual(4096);
          expect(r.text.startsWith('DRILL ')).toBe(over.drill);
          const labels = (r.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
          expect(labels.includes('Acknowledge')).toBe(over.status === 'triggered');
          expect(labels.includes('Resolve')).toBe(over.status !== 'resolved');
        },
      ),
    );
  });

  it('renders the other kinds as plain text', () => {
    for (const m of allKinds.filter((k) => k.kind !== 'page')) expect(renderTelegram(m, ID).text.length).toBeGreaterThan(0);
  });
});
