import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplePage } from '../../../test/fakes/messages.js';
import type { BundleItem, PageMessage } from '../types.js';
import { renderPush } from '../providers/push/render.js';
import { bundleHeadline, EMAIL_BUNDLE_NAMED, SMS_BUNDLE_MAX, VOICE_BUNDLE_NAMED } from './bundle.js';
import { renderEmail } from './email.js';
import { renderSms } from './sms.js';
import { renderVoiceTwiml } from './voice.js';

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
});
