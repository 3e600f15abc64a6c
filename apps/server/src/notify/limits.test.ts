import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUNDLE_CHANNELS, DEFAULT_PAGE_LIMITS, describeLimits, nextAllowedAt, parsePageLimits, type RateLimit } from './limits.js';
import { must } from '../lib/must.js';

const MIN = 60_000;

describe('parsePageLimits (KLAXON_PAGE_RATE_LIMITS)', () => {
  it('keeps the defaults when empty: voice 3 per 15 min and 7 an hour, SMS 5 per 15 min, email and push 10 per 15 min', () => {
    expect(parsePageLimits('')).toEqual(DEFAULT_PAGE_LIMITS);
    expect(describeLimits(must(DEFAULT_PAGE_LIMITS.voice, 'DEFAULT_PAGE_LIMITS.voice'))).toBe('3 per 15 min and 7 per 1 h');
    expect(describeLimits(must(DEFAULT_PAGE_LIMITS.sms, 'DEFAULT_PAGE_LIMITS.sms'))).toBe('5 per 15 min');
    // WhatsApp like SMS; ntfy, Pushover and Telegram like web push.
    expect(describeLimits(must(DEFAULT_PAGE_LIMITS.whatsapp, 'DEFAULT_PAGE_LIMITS.whatsapp'))).toBe('5 per 15 min');
    for (const c of ['ntfy', 'pushover', 'telegram'] as const) expect(describeLimits(must(DEFAULT_PAGE_LIMITS[c], 'DEFAULT_PAGE_LIMITS[c]'))).toBe('10 per 15 min');
    expect(describeLimits(must(DEFAULT_PAGE_LIMITS.email, 'DEFAULT_PAGE_LIMITS.email'))).toBe('10 per 15 min');
    expect(describeLimits(must(DEFAULT_PAGE_LIMITS.push, 'DEFAULT_PAGE_LIMITS.push'))).toBe('10 per 15 min');
  });

  it('overrides the channels it names and keeps the others', () => {
    expect(parsePageLimits('sms=2/10m, voice=1/30s+4/2h ,email=off')).toEqual({
      ...DEFAULT_PAGE_LIMITS,
      sms: [{ count: 2, windowMs: 10 * MIN }],
      voice: [
        { count: 1, windowMs: 30_000 },
        { count: 4, windowMs: 2 * 60 * MIN },
      ],
      email: [],
    });
    expect(parsePageLimits('off')).toEqual({});
    expect(parsePageLimits('OFF')).toEqual({});
  });

  it('says what is wrong with a bad value', () => {
    expect(parsePageLimits('sms')).toMatch(/"sms" is not channel=limits/);
    expect(parsePageLimits('slack=5/15m')).toMatch(/"slack" cannot be rate-limited: limits apply to email, sms, voice, push/);
    expect(parsePageLimits('sms=5/15m,sms=1/1m')).toBe('sms is named twice');
    expect(parsePageLimits('sms=5per15m')).toMatch(/sms: "5per15m" is not count\/window/);
    expect(parsePageLimits('sms=0/15m')).toMatch(/at least 1/);
    expect(parsePageLimits('sms=5/25h')).toMatch(/from 1s to 24h/);
    expect(parsePageLimits('sms=5/0s')).toMatch(/from 1s to 24h/);
  });

  it('never throws; answers limits or a sentence, and what it writes it reads back (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (raw) => {
        const r = parsePageLimits(raw);
        expect(typeof r === 'string' ? r.length > 0 : typeof r === 'object').toBe(true);
      }),
    );
    const limit = fc.record({ count: fc.integer({ min: 1, max: 9999 }), minutes: fc.integer({ min: 1, max: 1440 }) });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...BUNDLE_CHANNELS)),
        fc.array(fc.array(limit, { minLength: 1, maxLength: 3 }), { minLength: BUNDLE_CHANNELS.length, maxLength: BUNDLE_CHANNELS.length }),
        (chs, ls) => {
          const raw = chs
            .map(
              (c, i) =>
                `${c}=${must(ls[i], 'ls[i]')
                  .map((l) => `${l.count}/${l.minutes}m`)
                  .join('+')}`,
            )
            .join(',');
          const r = parsePageLimits(raw);
          expect(typeof r).toBe('object');
          chs.forEach((c, i) => expect((r as Record<string, RateLimit[]>)[c]).toEqual(must(ls[i], 'ls[i]').map((l) => ({ count: l.count, windowMs: l.minutes * MIN }))));
        },
      ),
    );
  });
});

describe('nextAllowedAt', () => {
  const voice = must(DEFAULT_PAGE_LIMITS.voice, 'DEFAULT_PAGE_LIMITS.voice');
  it('lets a message go now while every limit has room', () => {
    expect(nextAllowedAt(voice, [], 1000)).toBe(1000);
    expect(nextAllowedAt(voice, [0, 1000], 2000)).toBe(2000);
  });
  it('holds until the oldest counted message leaves the window', () => {
    // Three calls at 0, 1 and 2 minutes: the fourth waits until 15 minutes after the first.
    expect(nextAllowedAt(voice, [0, MIN, 2 * MIN], 3 * MIN)).toBe(15 * MIN);
    // Seven calls in the hour (three per 15 minutes): the eighth waits for the hour.
    const seven = [0, 1, 2, 15 * MIN, 15 * MIN + 1, 30 * MIN, 45 * MIN];
    expect(nextAllowedAt(voice, seven, 50 * MIN)).toBe(60 * MIN);
  });
  it('never answers a time at which a limit would still be full (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_600_000 }), { maxLength: 20 }), fc.integer({ min: 0, max: 3_600_000 }), (sent, now) => {
        const past = sent.filter((t) => t <= now);
        const at = nextAllowedAt(voice, past, now);
        expect(at).toBeGreaterThanOrEqual(now);
        for (const l of voice) expect(past.filter((t) => t > at - l.windowMs).length).toBeLessThan(l.count);
        // And not later than needed: a millisecond earlier some limit is full (unless it is now).
        if (at > now) expect(voice.some((l) => past.filter((t) => t > at - 1 - l.windowMs).length >= l.count)).toBe(true);
      }),
    );
  });
});
