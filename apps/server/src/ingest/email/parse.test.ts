import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMAIL_BODY_MAX, EMAIL_DEDUP_MAX, EMAIL_SUMMARY_MAX, emailToEvent, parseSubject, type ReceivedEmail } from './parse.js';

const RESOLVE_MARKERS = ['RESOLVED:', 'Resolved:', '[RESOLVED]', '[resolved]', '(RESOLVED)', 'RECOVERED:', '[OK]', 'RESOLVED -'];
const REPLY_MARKERS = ['Re:', 'RE:', 'Fwd:', 'FW:', 'AW:'];
// A subject core that does not itself start with a marker.
const core = fc.string({ minLength: 1, maxLength: 80 }).filter((s) => parseSubject(s).key === s.replace(/\s+/g, ' ').trim() && s.trim() !== '');

describe('parseSubject', () => {
  it('strips any leading run of reply and RESOLVED markers; resolves exactly when a RESOLVED marker is there', () => {
    fc.assert(
      fc.property(core, fc.array(fc.constantFrom(...RESOLVE_MARKERS, ...REPLY_MARKERS), { maxLength: 4 }), (c, markers) => {
        const m = parseSubject(`${markers.join(' ')} ${c}`);
        expect(m.key).toBe(c.replace(/\s+/g, ' ').trim().slice(0, EMAIL_DEDUP_MAX).trim());
        expect(m.resolved).toBe(markers.some((x) => RESOLVE_MARKERS.includes(x)));
      }),
    );
  });

  it('a trigger and its RESOLVED mail share one dedup key', () => {
    fc.assert(
      fc.property(core, fc.constantFrom(...RESOLVE_MARKERS), (c, marker) => {
        expect(parseSubject(`${marker} ${c}`).key).toBe(parseSubject(c).key);
        expect(parseSubject(c).resolved).toBe(false);
      }),
    );
  });

  it('never throws, the key is one trimmed line of at most 255 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (s) => {
        const m = parseSubject(s);
        expect(m.key.length).toBeLessThanOrEqual(EMAIL_DEDUP_MAX);
        expect(m.key).not.toMatch(/\n|^\s|\s$/);
      }),
    );
  });

  it('a word that merely starts like a marker is kept', () => {
    expect(parseSubject('Resolver down on dns-1')).toEqual({ key: 'Resolver down on dns-1', resolved: false });
    expect(parseSubject('Recent errors')).toEqual({ key: 'Recent errors', resolved: false });
  });
});

const mailArb: fc.Arbitrary<ReceivedEmail> = fc.record({
  subject: fc.option(fc.string({ maxLength: 2000 }), { nil: undefined }),
  text: fc.option(fc.string({ maxLength: 20_000 }), { nil: undefined }),
  from: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
  messageId: fc.option(fc.string({ maxLength: 50 }), { nil: undefined }),
  headers: fc.array(fc.record({ key: fc.string({ minLength: 1, maxLength: 20 }), line: fc.string({ maxLength: 200 }) }), { maxLength: 80 }),
  date: fc.option(fc.integer({ min: 0, max: 4102444800000 }), { nil: undefined }),
});

describe('emailToEvent', () => {
  it('any mail maps to one valid event: summary and key non-empty and bounded, body bounded, subject decides the action', () => {
    fc.assert(
      fc.property(mailArb, (mail) => {
        const e = emailToEvent(mail);
        const m = parseSubject(mail.subject ?? '');
        expect(e.action).toBe(m.resolved ? 'resolve' : 'trigger');
        expect(e.dedupKey).toBe(m.key === '' ? '(no subject)' : m.key);
        expect(e.summary.length).toBeGreaterThan(0);
        expect(e.summary.length).toBeLessThanOrEqual(EMAIL_SUMMARY_MAX);
        expect(e.summary).not.toMatch(/\n/);
        expect((e.details.body as string).length).toBeLessThanOrEqual(EMAIL_BODY_MAX);
        expect(Object.keys(e.details.headers as object).length).toBeLessThanOrEqual(50);
        expect(JSON.parse(JSON.stringify(e.raw))).toEqual(e.raw);
        if (mail.text !== undefined && mail.text.length <= EMAIL_BODY_MAX) expect(e.details.body).toBe(mail.text);
      }),
    );
  });

  it('repeated headers are joined, not lost', () => {
    const e = emailToEvent({
      subject: 'x',
      text: '',
      from: 'a@b',
      messageId: undefined,
      date: undefined,
      headers: [
        { key: 'received', line: 'Received: from a' },
        { key: 'received', line: 'Received: from b' },
      ],
    });
    expect((e.details.headers as Record<string, string>).received).toBe('from a, from b');
  });
});
