import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Problems, at, parseIsoTimestamp, severityFromWord, truncate } from './common.js';
import { IngestError } from './errors.js';

describe('parseIsoTimestamp', () => {
  it('reads RFC 3339 and common ISO 8601 forms', () => {
    expect(parseIsoTimestamp('2024-05-01T12:00:00Z')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseIsoTimestamp('2024-05-01T12:00:00.123456789Z')).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 123));
    expect(parseIsoTimestamp('2015-07-17T08:42:58.315+0000')).toBe(Date.UTC(2015, 6, 17, 8, 42, 58, 315));
    expect(parseIsoTimestamp('2021-10-12T09:51:03.157076+02:00')).toBe(Date.UTC(2021, 9, 12, 7, 51, 3, 157));
    expect(parseIsoTimestamp('2021-10-12T09:51-05')).toBe(Date.UTC(2021, 9, 12, 14, 51));
    expect(parseIsoTimestamp('2024-05-01 12:00:00')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseIsoTimestamp('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(parseIsoTimestamp('0001-01-01T00:00:00Z')).toBe(-62135596800000);
    expect(parseIsoTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
  });

  it('refuses what is not a valid date-time', () => {
    for (const text of ['', 'now', '2024-13-01', '2023-02-29', '2024-04-31', '2024-05-01T24:00:00Z', '2024-05-01T12:60Z', '1714564800', '2024-05-01T12:00:00+25:00', 'Wed, 01 May 2024 12:00:00 GMT']) {
      expect(parseIsoTimestamp(text), text).toBeUndefined();
    }
  });

  it('reads back every Date.toISOString of years 0000-9999', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        expect(parseIsoTimestamp(d.toISOString())).toBe(d.getTime());
      }),
    );
  });

  it('returns a finite number or undefined for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?$/)), (s) => {
        const ms = parseIsoTimestamp(s);
        if (ms !== undefined) expect(Number.isFinite(ms)).toBe(true);
      }),
    );
  });
});

describe('truncate', () => {
  it('never exceeds the limit nor ends in half a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 50 }), (s, max) => {
        const out = truncate(s, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(s.startsWith(out)).toBe(true);
        expect(out.length).toBeGreaterThanOrEqual(Math.min(s.length, max) - 1);
        if (out.length < s.length) {
          const last = out.charCodeAt(out.length - 1);
          expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
        }
      }),
    );
  });
});

describe('paths and problems', () => {
  it('writes field paths', () => {
    expect(at('', 'routing_key')).toBe('routing_key');
    expect(at('payload', 'summary')).toBe('payload.summary');
    expect(at('alerts', 2)).toBe('alerts[2]');
    expect(at('', 0)).toBe('[0]');
    expect(at('labels', 'odd key')).toBe('labels["odd key"]');
    expect(at('', '')).toBe('[""]');
  });

  it('throws nothing without problems, and an IngestError listing them otherwise', () => {
    const p = new Problems();
    expect(() => p.throwIfAny('thing')).not.toThrow();
    p.add('', 'must be a JSON object');
    p.add('a.b', 'required');
    const error = (() => {
      try {
        p.throwIfAny('thing');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(IngestError);
    expect(error).toMatchObject({ name: 'IngestError', message: 'Invalid thing: (root): must be a JSON object; a.b: required', errors: ['(root): must be a JSON object', 'a.b: required'] });
  });
});

describe('severityFromWord', () => {
  it('maps words case-insensitively and knows nothing else', () => {
    expect(severityFromWord(' Critical ')).toBe('critical');
    expect(severityFromWord('P4')).toBe('info');
    expect(severityFromWord('constructor')).toBeUndefined();
    expect(severityFromWord('__proto__')).toBeUndefined();
    expect(severityFromWord('')).toBeUndefined();
  });
});
