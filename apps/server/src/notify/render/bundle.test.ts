import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplePage } from '../../../test/fakes/messages.js';
import type { BundleItem, PageMessage } from '../types.js';
import { renderPush } from '../providers/push/render.js';
import { renderNtfy } from '../providers/ntfy/render.js';
import { renderPushover } from '../providers/pushover/index.js';
import { renderTelegram } from '../providers/telegram/index.js';
import { bundleHeadline, EMAIL_BUNDLE_NAMED, SMS_BUNDLE_MAX, VOICE_BUNDLE_NAMED } from './bundle.js';
import { renderEmail } from './email.js';
import { renderSms } from './sms.js';
import { renderVoiceTwiml } from './voice.js';
import { must } from '../../lib/must.js';

const item = (n: number, o: Partial<BundleItem> = {}): BundleItem => ({
  incidentId: `i${n}`,
  incidentNumber: n,
  title: `Title ${n}`,
  serviceName: n % 2 ? 'checkout-api' : 'payments-worker',
  severity: 'critical',
  incidentUrl: `https://klaxon.example.com/incidents/${n}`,
  ...o,
});
const bundled = (items: BundleItem[]): PageMessage => ({ ...samplePage(), ackUrl: 'https://klaxon.example.com/actions/ALL', bundle: { id: 'b1', items } });

/** Incident numbers named in a text, and the "+N more" / "and N more" count. */
function named(text: string): { numbers: Set<number>; more: number } {
  const numbers = new Set([...text.matchAll(/#(\d+) /g)].map((m) => Number(m[1])));
  const more = /(?:\+|and )(\d+) more(?! services)/.exec(text);
  return { numbers, more: more ? Number(more[1]) : 0 };
}

describe('bundled pages', () => {
  it('SMS names the incidents and services, with one reply that acknowledges all', () => {
    expect(renderSms(bundled([item(12, { title: 'DB down' }), item(13, { title: 'Queue backlog' }), item(14)]))).toBe(
      'Klaxon: 3 new incidents on payments-worker, checkout-api: #12 DB down; #13 Queue backlog; #14 Title 14. Reply A to ack all 3',
    );
  });

  it('voice reads a count and the first few, and 4 acknowledges them all', () => {
    const twiml = renderVoiceTwiml(bundled([1, 2, 3, 4, 5].map((n) => item(n))), { gatherUrl: 'https://k/g' });
    expect(twiml).toContain(
      'This is Klaxon. 5 new incidents on checkout-api, payments-worker. Incident 1, critical: Title 1. Incident 2, critical: Title 2. Incident 3, critical: Title 3. And 2 more.',
    );
    expect(twiml).toContain('Press 4 to acknowledge all 5. Press 1 to repeat.');
  });

  it('email lists every incident and links "Acknowledge all"', () => {
    const e = renderEmail(bundled([item(7), item(8)]));
    expect(e.subject).toBe('[Klaxon] 2 new incidents on checkout-api, payments-worker');
    expect(e.text).toContain('#7 CRITICAL checkout-api: Title 7');
    expect(e.text).toContain('#8 CRITICAL payments-worker: Title 8');
    expect(e.text).toContain('Acknowledge all 2: https://klaxon.example.com/actions/ALL');
    expect(e.html).toContain('Acknowledge all 2</a>');
  });

  it('push: the count in the title, a line per incident, and the acknowledge-all link', () => {
    const p = renderPush(bundled([item(7), item(8)]), 'https://k', 0);
    expect(p.title).toBe('2 new incidents on checkout-api, payments-worker');
    expect(p.body).toBe('#7 checkout-api: Title 7\n#8 payments-worker: Title 8');
    expect(p.ackUrl).toBe('https://klaxon.example.com/actions/ALL');
    expect(p.actions[0]).toEqual({ action: 'ack', title: 'Acknowledge all 2' });
  });

  it("any titles and counts: within each channel's limits, every incident named or counted (property)", () => {
    const title = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 120 }), fc.constant(''));
    fc.assert(
      fc.property(fc.array(fc.record({ title, service: fc.string({ maxLength: 80 }), drill: fc.boolean() }), { minLength: 1, maxLength: 300 }), (raw) => {
        const items = raw.map((r, i) => item(i + 1, { title: r.title, serviceName: r.service, drill: r.drill }));
        const msg = bundled(items);
        const n = items.length;
        // SMS: at most three segments; the named plus "+N more" are every incident; the count leads.
        const sms = renderSms(msg);
        expect(sms.length).toBeLessThanOrEqual(SMS_BUNDLE_MAX);
        expect(sms).toContain(`${n} new incident`);
        expect(sms.endsWith(`Reply A to ack all ${n}`)).toBe(true);
        const s = named(sms.slice(sms.indexOf(': ', 8)));
        expect(s.numbers.size + s.more === n || (s.numbers.size === 0 && sms.includes(`${n} incidents. Reply`))).toBe(true);
        // Voice: the count, the first few by number, the rest counted.
        const twiml = renderVoiceTwiml(msg, { gatherUrl: 'https://k/g' });
        expect(twiml).toContain(`${n} new incident`);
        for (const it of items.slice(0, VOICE_BUNDLE_NAMED)) expect(twiml).toContain(`Incident ${it.incidentNumber}, `);
        if (n > VOICE_BUNDLE_NAMED) expect(twiml).toContain(`And ${n - VOICE_BUNDLE_NAMED} more.`);
        expect(twiml.length).toBeLessThan(4000); // Twilio's limit on a TwiML document is far above this
        // Email: every incident by number (up to EMAIL_BUNDLE_NAMED).
        const email = renderEmail(msg);
        for (const it of items.slice(0, EMAIL_BUNDLE_NAMED)) expect(email.text).toContain(`#${it.incidentNumber} CRITICAL`);
        expect(email.subject.length).toBeLessThanOrEqual(200);
        // Push: within the Web Push payload, the count in the title.
        const push = renderPush(msg, 'https://k', 0);
        expect(Buffer.byteLength(JSON.stringify(push))).toBeLessThanOrEqual(3800);
        expect(push.title.startsWith(bundleHeadline(items).slice(0, 10)) || push.title.includes(`${n} new`)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('ntfy, Pushover and Telegram: one message listing the incidents with one acknowledge-all', () => {
    const msg = bundled([item(12, { title: 'DB down' }), item(13, { title: 'Queue backlog', urgency: 'low' })]);
    const n = renderNtfy(msg, 'topic');
    expect(n).toMatchObject({ title: '2 new incidents on payments-worker, checkout-api', priority: 5, message: '#12 payments-worker: DB down\n#13 checkout-api: Queue backlog' });
    expect(must(n.actions, 'n.actions')[0]).toEqual({ action: 'http', label: 'Acknowledge all 2', url: 'https://klaxon.example.com/actions/ALL', method: 'POST', clear: true });
    const p = renderPushover(msg, { callback: 'https://k/cb' });
    expect(p).toMatchObject({ title: '2 new incidents on payments-worker, checkout-api', priority: '2', callback: 'https://k/cb' });
    expect(p.message).toBe('#12 payments-worker: DB down\n#13 checkout-api: Queue backlog\nAcknowledge to acknowledge all 2.');
    const tg = renderTelegram(msg, 'm1');
    expect(tg.text).toBe('🚨 2 new incidents on payments-worker, checkout-api\n#12 payments-worker: DB down\n#13 checkout-api: Queue backlog');
    expect(must(tg.reply_markup, 'tg.reply_markup').inline_keyboard[0]).toEqual([{ text: 'Acknowledge all 2', callback_data: 'ack:m1' }]);
    // Every incident low urgency: Pushover at normal priority (no callback), ntfy at the default priority.
    const low = { ...bundled([item(1, { urgency: 'low' }), item(2, { urgency: 'low' })]), urgency: 'low' as const };
    expect(renderPushover(low, { callback: 'https://k/cb' })).toMatchObject({ priority: '0' });
    expect(renderPushover(low, { callback: 'https://k/cb' }).callback).toBeUndefined();
    expect(renderNtfy(low, 't').priority).toBe(3);
  });

  it('ntfy (4,096 bytes), Pushover (1,024 characters), Telegram (4,096 characters): within limits, every incident named or counted (property)', () => {
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 120 }), fc.constant(''));
    fc.assert(
      fc.property(fc.array(fc.record({ title: text, serviceName: text }), { minLength: 2, maxLength: 400 }), (rows) => {
        const items = rows.map((r, i) => item(i + 1, r));
        const msg = bundled(items);
        const n = renderNtfy(msg, 't');
        const p = renderPushover(msg, { callback: 'https://k/cb' });
        const tg = renderTelegram(msg, 'm1');
        expect(Buffer.byteLength(n.message, 'utf8')).toBeLessThanOrEqual(4096);
        expect(must(p.message, 'p.message').length).toBeLessThanOrEqual(1024);
        expect(tg.text.length).toBeLessThanOrEqual(4096);
        for (const body of [n.message, must(p.message, 'p.message'), tg.text]) {
          const { numbers, more } = named(body);
          const shown = items.filter((it) => numbers.has(it.incidentNumber)).length;
          expect(shown + more).toBeGreaterThanOrEqual(items.length);
        }
      }),
      { numRuns: 100 },
    );
  });
});
