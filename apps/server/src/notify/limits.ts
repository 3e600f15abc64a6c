/**
 * Per-contact-method rate limits on pages (docs/paging.md, "Storms"). Pure: the parser of
 * KLAXON_PAGE_RATE_LIMITS and the sliding-window arithmetic; the notification module applies them.
 *
 * A contact method may receive at most `count` page messages in any `windowMs`; a page that would go
 * over is held (its notification stays pending until the window has room) and then goes out bundled
 * with everything else held for that contact method. Nothing held is dropped.
 */
import type { Channel } from './types.js';
import { must } from '../lib/must.js';

/** At most `count` messages in any window of `windowMs`. */
export interface RateLimit {
  count: number;
  windowMs: number;
}

/** The channels whose pages are rate-limited and bundled (each has a bundle renderer). */
export const BUNDLE_CHANNELS = ['email', 'sms', 'voice', 'push', 'whatsapp', 'ntfy', 'pushover', 'telegram'] as const satisfies readonly Channel[];
export type BundleChannel = (typeof BUNDLE_CHANNELS)[number];

/** Limits per channel; a channel without an entry (or with an empty list) is not limited. */
export type PageLimits = Partial<Record<BundleChannel, RateLimit[]>>;

const MIN = 60_000;
const HOUR = 3_600_000;

/**
 * The defaults, in the spirit of GoAlert's: a phone rings at most 3 times in 15 minutes and 7 times an
 * hour, an SMS or a WhatsApp message arrives at most 5 times in 15 minutes, an inbox or a push device
 * (web push, ntfy, Pushover, Telegram) 10 times in 15 minutes.
 */
export const DEFAULT_PAGE_LIMITS: PageLimits = {
  voice: [
    { count: 3, windowMs: 15 * MIN },
    { count: 7, windowMs: HOUR },
  ],
  sms: [{ count: 5, windowMs: 15 * MIN }],
  email: [{ count: 10, windowMs: 15 * MIN }],
  push: [{ count: 10, windowMs: 15 * MIN }],
  whatsapp: [{ count: 5, windowMs: 15 * MIN }],
  ntfy: [{ count: 10, windowMs: 15 * MIN }],
  pushover: [{ count: 10, windowMs: 15 * MIN }],
  telegram: [{ count: 10, windowMs: 15 * MIN }],
};

/** Whether pages on `channel` are rate-limited and bundled at all. */
export function isBundleChannel(channel: string): channel is BundleChannel {
  return (BUNDLE_CHANNELS as readonly string[]).includes(channel);
}

const UNIT_MS: Record<string, number> = { s: 1000, m: MIN, h: HOUR };
const MAX_WINDOW_MS = 24 * HOUR;

/**
 * Parses KLAXON_PAGE_RATE_LIMITS: comma-separated `channel=limits`, each limit `count/window` (window
 * a whole number of s, m or h, at most 24h), several joined with `+`, or `off` for none; channels not
 * named keep their default. `off` alone turns every limit off. Examples: `sms=5/15m`,
 * `voice=3/15m+7/1h,email=off`. Returns the limits, or a sentence saying what is wrong.
 */
export function parsePageLimits(raw: string, defaults: PageLimits = DEFAULT_PAGE_LIMITS): PageLimits | string {
  const s = raw.trim();
  if (s === '') return { ...defaults };
  if (s.toLowerCase() === 'off') return {};
  const out: PageLimits = { ...defaults };
  const seen = new Set<string>();
  for (const part of s.split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*(.+?)\s*$/i.exec(part);
    if (!m) return `"${part.trim()}" is not channel=limits (for example sms=5/15m or voice=3/15m+7/1h)`;
    const channel = must(m[1], 'the channel').toLowerCase();
    if (!isBundleChannel(channel)) return `"${channel}" cannot be rate-limited: limits apply to ${BUNDLE_CHANNELS.join(', ')}`;
    if (seen.has(channel)) return `${channel} is named twice`;
    seen.add(channel);
    if (must(m[2], 'the limits').toLowerCase() === 'off') {
      out[channel] = [];
      continue;
    }
    const limits: RateLimit[] = [];
    for (const l of must(m[2], 'the limits').split('+')) {
      const lm = /^\s*(\d{1,4})\s*\/\s*(\d{1,5})\s*([smh])\s*$/i.exec(l);
      if (!lm) return `${channel}: "${l.trim()}" is not count/window (for example 5/15m; windows in s, m or h)`;
      const count = Number(lm[1]);
      const windowMs = Number(lm[2]) * must(UNIT_MS[must(lm[3], 'the window unit').toLowerCase()], 'the window unit length');
      if (count < 1) return `${channel}: the count in "${l.trim()}" must be at least 1`;
      if (windowMs < 1000 || windowMs > MAX_WINDOW_MS) return `${channel}: the window in "${l.trim()}" must be from 1s to 24h`;
      limits.push({ count, windowMs });
    }
    out[channel] = limits;
  }
  return out;
}

/** Limits in words: "3 per 15 min and 7 per 1 h". */
export function describeLimits(limits: readonly RateLimit[]): string {
  const w = (ms: number) => (ms % HOUR === 0 ? `${ms / HOUR} h` : ms % MIN === 0 ? `${ms / MIN} min` : `${ms / 1000} s`);
  return limits.map((l) => `${l.count} per ${w(l.windowMs)}`).join(' and ');
}

/** The longest window and the largest count of a set of limits: how far back and how many sends to read. */
export function lookBack(limits: readonly RateLimit[]): { windowMs: number; count: number } {
  return { windowMs: Math.max(0, ...limits.map((l) => l.windowMs)), count: Math.max(0, ...limits.map((l) => l.count)) };
}

/**
 * When the next message may go out, given the times of earlier messages (any order): `now` when every
 * limit has room, else the first instant at which all of them do. A limit with `count` sends inside its
 * window frees up when the oldest of the latest `count` sends leaves the window.
 */
export function nextAllowedAt(limits: readonly RateLimit[], sentAt: readonly number[], now: number): number {
  const recent = [...sentAt].sort((a, b) => b - a);
  let at = now;
  for (const l of limits) {
    const inWindow = recent.filter((t) => t > now - l.windowMs);
    if (inWindow.length < l.count) continue;
    // The count-th most recent send must leave the window.
    at = Math.max(at, must(inWindow[l.count - 1], 'the count-th most recent send') + l.windowMs);
  }
  return at;
}
