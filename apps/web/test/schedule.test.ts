import { describe, expect, it } from 'vitest';
import { nextOnCallIn, onCallIn, previewPolicy, type Reachability } from '../src/escalation/preview.ts';
import type { ContactMethod, User } from '@klaxon/contract';
import { addDays, duration, fromLocalInput, place, snap, spanText, toLocalInput } from '../src/schedules/time.ts';

const H = 3_600_000;
const user = (id: string): User => ({ id, name: id.toUpperCase(), email: `${id}@x`, timeZone: 'UTC', role: 'responder', createdAt: 0 });
const email = (userId: string): ContactMethod => ({ id: `cm-${userId}`, userId, name: 'email', type: 'email', address: `${userId}@x`, verified: true, disabled: false });

describe('schedule time helpers', () => {
  it('formats spans and durations in a zone', () => {
    const t = Date.UTC(2026, 2, 2, 8, 0);
    expect(spanText(t, t + 7 * 24 * H, 'Europe/Berlin')).toBe('Mon 2 Mar 09:00 – Mon 9 Mar 09:00');
    expect(toLocalInput(t, 'America/New_York')).toBe('2026-03-02T03:00');
    expect(duration(7 * 24 * H)).toBe('7 d');
    expect(duration(90 * 60_000)).toBe('1 h 30 min');
    expect(snap(Date.UTC(2026, 0, 1, 9, 14))).toBe(Date.UTC(2026, 0, 1, 9, 0));
    expect(Number.isNaN(fromLocalInput(''))).toBe(true);
  });
  it('places bars as percentages, clipped to the range', () => {
    expect(place(0, 50, 0, 100)).toEqual({ left: 0, width: 50 });
    expect(place(-10, 10, 0, 100)).toEqual({ left: 0, width: 10 });
    expect(place(100, 200, 0, 100)).toBeNull();
  });
  it('adds calendar days, not 24 hours', () => {
    const d = new Date(2026, 2, 1).getTime();
    expect(new Date(addDays(d, 40)).getDate()).toBe(10);
  });
});

describe('policy preview with schedule targets', () => {
  const final = {
    shifts: [
      { start: 0, end: 10 * 60_000, userIds: ['ana'], source: { kind: 'layer' as const, layerIndex: 0 } },
      { start: 10 * 60_000, end: 20 * 60_000, userIds: ['ana'], source: { kind: 'override' as const, overrideId: 'o' } },
      { start: 30 * 60_000, end: 60 * 60_000, userIds: ['ben'], source: { kind: 'layer' as const, layerIndex: 0 } },
    ],
  };
  it('finds who is on call, and next (skipping the same people; in a gap, whoever comes on next)', () => {
    expect(onCallIn(final, 5 * 60_000)).toEqual(['ana']);
    expect(nextOnCallIn(final, 5 * 60_000)).toEqual(['ben']);
    expect(onCallIn(final, 25 * 60_000)).toEqual([]);
    expect(nextOnCallIn(final, 25 * 60_000)).toEqual(['ben']);
  });
  it('pages whoever the schedule has on call when each level fires; a gap skips the level at once', () => {
    const reach: Record<string, Reachability> = { ana: { contactMethods: [email('ana')], rules: [] }, ben: { contactMethods: [email('ben')], rules: [] } };
    const p = previewPolicy(
      {
        repeat: 0,
        levels: [
          { delayMinutes: 25, targets: [{ type: 'schedule', id: 's' }] },
          { delayMinutes: 10, targets: [{ type: 'schedule', id: 's' }] },
          { delayMinutes: 5, targets: [{ type: 'schedule_next', id: 's' }] },
        ],
      },
      [user('ana'), user('ben')],
      [],
      reach,
      (t, m) => ({ name: 'Primary', userIds: t.type === 'schedule' ? onCallIn(final, m * 60_000) : nextOnCallIn(final, m * 60_000) }),
    );
    expect(p.steps.map((s) => [s.atMinutes, s.pages.map((x) => x.userId), s.notes])).toEqual([
      [0, ['ana'], []],
      [25, [], ['schedule Primary has nobody on call (gap)']],
      [25, ['ben'], []],
    ]);
  });
});
