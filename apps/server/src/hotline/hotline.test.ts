import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeXml, parseDial } from '../../test/fakes/twilio.js';
import { callerAllowed, maskNumber, normalizePhone, parseAllowList } from './phone.js';
import { nccoDocument, verifyVonageSignature } from './ncco.js';
import { twimlDocument } from './twiml.js';
import { must } from '../lib/must.js';

const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
/** An E.164 number: + then 7 to 15 digits, the first not 0. */
const e164 = fc.tuple(fc.integer({ min: 1, max: 9 }), digits(6, 14)).map(([a, b]) => `+${a}${b}`);
/** The same number as a person might write it: spaces, dots, dashes, brackets between digits. */
const written = e164.chain((n) =>
  fc.array(fc.constantFrom('', ' ', '-', '.', '(', ')', '  '), { minLength: n.length, maxLength: n.length }).map((seps) => ({ n, text: ` ${[...n].map((c, i) => c + seps[i]).join('')} ` })),
);

/** `s` without the characters XML 1.0 cannot carry (C0 controls but tab, LF, CR; lone surrogates; U+FFFE, U+FFFF), written from the XML spec's Char production. */
const xmlChars = (s: string): string =>
  [...s]
    .filter((ch) => {
      const cp = must(ch.codePointAt(0), 'ch.codePointAt(0)');
      return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
    })
    .join('');

describe('hotline phone numbers', () => {
  it('normalizePhone: any E.164 number, however written with spaces, dots, dashes and brackets, comes back as itself', () => {
    fc.assert(
      fc.property(written, ({ n, text }) => {
        expect(normalizePhone(text)).toBe(n);
      }),
    );
  });

  it('normalizePhone: anything it accepts is E.164, and normalising again changes nothing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          written.map((w) => w.text),
          fc.string({ unit: fc.constantFrom('+', '0', '1', '9', ' ', '-', 'a') }),
        ),
        (s) => {
          const n = normalizePhone(s);
          if (n !== null) {
            expect(n).toMatch(/^\+[1-9]\d{6,14}$/);
            expect(normalizePhone(n)).toBe(n);
          }
        },
      ),
    );
    for (const bad of ['', '12345678', '+0123456789', '+12 34', 'anonymous', '+1234567890123456', '+44 20 7946 000O']) expect(normalizePhone(bad)).toBeNull();
  });

  it('parseAllowList: every entry is a number (normalised, once, first order kept) or a problem at its index; nothing is lost', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            written.map((w) => w.text),
            fc.string({ maxLength: 12 }),
          ),
          { maxLength: 20 },
        ),
        (entries) => {
          const { numbers, problems } = parseAllowList(entries);
          const want: string[] = [];
          const bad: number[] = [];
          entries.forEach((e, i) => {
            const n = normalizePhone(e);
            if (n === null) bad.push(i);
            else if (!want.includes(n)) want.push(n);
          });
          expect(numbers).toEqual(want);
          expect(problems.map((p) => p.index)).toEqual(bad);
          for (const p of problems) expect(p.message).toContain('not a phone number');
        },
      ),
    );
  });

  it('callerAllowed: an empty list lets anyone; else exactly the listed numbers, however the provider writes them', () => {
    fc.assert(
      fc.property(fc.array(e164, { maxLength: 5 }), written, fc.string(), (list, caller, junk) => {
        expect(callerAllowed([], junk)).toBe(true);
        expect(callerAllowed(list, caller.text)).toBe(list.length === 0 || list.includes(caller.n));
        if (list.length) expect(callerAllowed(list, must(list[0], 'list[0]'))).toBe(true);
      }),
    );
  });

  it('maskNumber: shows two leading and three trailing digits only; never the whole number; withheld ids read as such', () => {
    fc.assert(
      fc.property(e164, (n) => {
        const m = maskNumber(n);
        expect(m.startsWith(n.slice(0, 3))).toBe(true);
        expect(m.endsWith(n.slice(-3))).toBe(true);
        expect(m).toHaveLength(n.length);
        expect(m.replace(/\D/g, '')).toHaveLength(5);
        expect(m.slice(3, -3)).toBe('•'.repeat(n.length - 6));
      }),
    );
    expect(maskNumber('+447700900123')).toBe('+44•••••••123');
    expect(maskNumber('anonymous')).toBe('a withheld number');
    expect(maskNumber('+266696687')).toBe('+26••••687');
  });
});

describe('hotline TwiML', () => {
  it('any text said and any number and URL dialled come back exactly (XML-escaped), and no text can add a verb', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.integer({ min: -10, max: 1000 }), (say, number, action, timeout) => {
        const doc = twimlDocument([{ say }, { dial: { number, timeoutSeconds: timeout, action } }, { hangup: true }]);
        // The whole structure: one Say, one Dial with one Number, one Hangup; nothing else.
        const tags = [...doc.matchAll(/<\/?([A-Za-z]+)/g)].map((m) => m[0]);
        expect(tags).toEqual(['<Response', '<Say', '</Say', '<Dial', '<Number', '</Number', '</Dial', '<Hangup', '</Response']);
        const s = must(/<Say>([^<]*)<\/Say>/.exec(doc), '/<Say>([^<]*)<\\/Say>/.exec(doc)');
        expect(decodeXml(must(s[1], 's[1]'))).toBe(xmlChars(say));
        const d = must(parseDial(doc), 'parseDial(doc)');
        expect(d.numbers).toEqual([xmlChars(number).trim()]);
        expect(d.action).toBe(xmlChars(action));
        expect(d.timeout).toBe(Math.max(1, Math.min(600, timeout)));
      }),
    );
  });
});

describe('hotline NCCO and Vonage signatures', () => {
  const sign = (secret: string, payload: string, extra: Record<string, unknown> = {}) => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const h = enc({ alg: 'HS256', typ: 'JWT' });
    const c = enc({ iat: 1, jti: 'j', iss: 'Vonage', api_key: 'k', payload_hash: createHash('sha256').update(payload).digest('hex'), ...extra });
    return `Bearer ${h}.${c}.${createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url')}`;
  };

  it('any text said and any number rung come back exactly from the NCCO; a hang-up ends it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.webUrl(), fc.integer({ min: -10, max: 1000 }), (say, number, action, timeout) => {
        const doc = JSON.parse(nccoDocument([{ say }, { dial: { number, timeoutSeconds: timeout, action, callerId: '+15005550100' } }, { hangup: true }, { say: 'never said' }])) as unknown[];
        expect(doc).toEqual([
          { action: 'talk', text: say },
          {
            action: 'connect',
            from: '15005550100',
            timeout: Math.max(1, Math.min(600, timeout)),
            eventType: 'synchronous',
            eventUrl: [action],
            endpoint: [{ type: 'phone', number: number.replace(/^\+/, '') }],
          },
        ]);
      }),
    );
  });

  it('a JWT signed with the secret over the payload verifies; another secret, payload, algorithm or a changed character does not', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.json(), fc.json(), fc.nat(), (secret, payload, other, at) => {
        const auth = sign(secret, payload);
        expect(verifyVonageSignature(secret, auth, payload, 0)).toBe(true);
        expect(verifyVonageSignature(`${secret}x`, auth, payload, 0)).toBe(false);
        if (other !== payload) expect(verifyVonageSignature(secret, auth, other, 0)).toBe(false);
        const i = 7 + (at % (auth.length - 7));
        const flipped = auth.slice(0, i) + (auth[i] === 'A' ? 'B' : 'A') + auth.slice(i + 1);
        if (flipped !== auth) expect(verifyVonageSignature(secret, flipped, payload, 0)).toBe(false);
      }),
    );
    expect(verifyVonageSignature('s', sign('s', '{}', { exp: 10 }), '{}', 11)).toBe(false);
    expect(verifyVonageSignature('s', undefined, '{}', 0)).toBe(false);
    expect(verifyVonageSignature('', sign('', '{}'), '{}', 0)).toBe(false);
    const none = `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.x`;
    expect(verifyVonageSignature('s', none, '{}', 0)).toBe(false);
  });
});
