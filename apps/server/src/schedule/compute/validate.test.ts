import { describe, expect, test } from 'vitest';
import { validateScheduleSpec, type ScheduleSpec } from './index.js';

const good: ScheduleSpec = {
  timeZone: 'Europe/Berlin',
  layers: [
    {
      name: 'primary',
      participants: ['alice', ['bob', 'carol']],
      turn: { unit: 'week', count: 1 },
      handoffTime: '09:00',
      timeZone: 'Asia/Kolkata',
      start: Date.UTC(2024, 0, 1, 8),
      restrictions: [
        { kind: 'preset', preset: 'business-hours' },
        { kind: 'daily', days: ['sat'], start: '22:00', end: '24:00' },
        { kind: 'weekly', startDay: 'fri', startTime: '18:00', endDay: 'mon', endTime: '09:00' },
      ],
    },
  ],
  overrides: [{ id: 'o1', userIds: ['dave'], start: 0, end: 1000 }],
  leave: [{ userId: 'alice', start: 0, end: 1000 }],
};

const paths = (spec: unknown) => validateScheduleSpec(spec).map((e) => e.path);

describe('validateScheduleSpec', () => {
  test('a valid spec has no errors', () => {
    expect(validateScheduleSpec(good)).toEqual([]);
  });

  test('reports each bad field with its path', () => {
    const bad = {
      timeZone: 'Mars/Olympus',
      layers: [
        {
          participants: [],
          turn: { unit: 'fortnight', count: 0 },
          handoffTime: '9:00',
          timeZone: 'Nowhere',
          start: 'yesterday',
          restrictions: [
            { kind: 'daily', days: ['mon'], start: '09:00', end: '09:00' },
            { kind: 'weekly', startDay: 'sun', startTime: '24:00', endDay: 'mon', endTime: '00:00' },
            { kind: 'weekly', startDay: 'mon', startTime: '00:00', endDay: 'sun', endTime: '24:00' },
            { kind: 'daily', days: [], start: '25:00', end: '10:00' },
            { kind: 'preset', preset: 'lunch' },
            { kind: 'monthly' },
          ],
        },
        { participants: ['', ['x', 'x'], ['', 'y']], turn: { unit: 'hour', count: 1.5 }, handoffTime: '09:00', start: 0, end: -1, priority: 'high' },
      ],
      overrides: [
        { id: 'a', userIds: [], start: 10, end: 5 },
        { id: 'a', userIds: ['x'], start: 0, end: 5 },
      ],
      leave: [{ userId: '', start: 5, end: 5 }],
    };
    expect(paths(bad)).toEqual([
      'timeZone',
      'layers.0.timeZone',
      'layers.0.participants',
      'layers.0.turn.unit',
      'layers.0.turn.count',
      'layers.0.handoffTime',
      'layers.0.start',
      'layers.0.restrictions.0.end',
      'layers.0.restrictions.1.startTime',
      'layers.0.restrictions.2.endTime',
      'layers.0.restrictions.3.days',
      'layers.0.restrictions.3.start',
      'layers.0.restrictions.4.preset',
      'layers.0.restrictions.5.kind',
      'layers.1.participants.0',
      'layers.1.participants.1',
      'layers.1.participants.2',
      'layers.1.turn.count',
      'layers.1.handoffTime',
      'layers.1.end',
      'layers.1.priority',
      'overrides.0.userIds',
      'overrides.0.end',
      'overrides.1.id',
      'leave.0.userId',
      'leave.0.end',
    ]);
  });

  test('an empty group (a turn nobody covers) is valid; layering is precedence or union', () => {
    expect(validateScheduleSpec({ ...good, layers: [{ ...good.layers[0], participants: ['a', []] }] })).toEqual([]);
    expect(validateScheduleSpec({ ...good, layering: 'union' })).toEqual([]);
    expect(validateScheduleSpec({ ...good, layering: 'sum' })).toEqual([{ path: 'layering', message: 'must be precedence or union' }]);
  });

  test('messages say what is expected', () => {
    const errors = validateScheduleSpec({ ...good, timeZone: 'Europe/Berlinn' });
    expect(errors).toEqual([{ path: 'timeZone', message: 'must be an IANA time zone name' }]);
    expect(validateScheduleSpec(null)).toEqual([{ path: '(root)', message: 'must be an object' }]);
  });
});
