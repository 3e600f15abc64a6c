/** The model extensions PagerDuty needs, through config as code on real databases: apply, export, apply again. */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { applyConfig } from '../../src/config/apply.js';
import { exportConfig } from '../../src/config/export.js';
import { parseConfigFile } from '../../src/config/load.js';
import { getFinalSchedule } from '../../src/schedule/index.js';
import { getService } from '../../src/service/service.js';
import { listNotificationRules, listUsers } from '../../src/user/service.js';
import { DIALECTS, testDatabases } from './helpers.js';
import { must } from '../../src/lib/must.js';

const DOC = `
version: 1
users:
  - email: ann@example.com
    name: Ann
    contactMethods:
      - { name: mail, type: email, address: ann@example.com }
      - { name: cell, type: sms, address: "+15550001111" }
    notificationRules:
      - { contactMethod: mail, delayMinutes: 0, urgency: low }
      - { contactMethod: cell, delayMinutes: 0, urgency: high }
      - { contactMethod: mail, delayMinutes: 5 }
  - { email: ben@example.com, name: Ben }
  - { email: cy@example.com, name: Cy }
schedules:
  - name: Weekly
    timeZone: Europe/Berlin
    layers:
      - name: week
        participants: [ann@example.com, ben@example.com, cy@example.com]
        turn: { unit: week, count: 1 }
        rotationStart: "2026-03-02T09:00"
        start: "2026-03-04T12:00"
      - name: odd
        participants: [ben@example.com, cy@example.com]
        turn: { unit: second, count: 5430 }
        start: "2026-03-10T00:00:00Z"
        end: "2026-03-10T06:00:00Z"
services:
  - name: checkout
    urgencyRule: { type: support-hours, during: high, outside: low }
    supportHours: { timeZone: America/Lima, days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00" }
  - name: batch
    urgencyRule: { type: constant, urgency: low }
`;

describe.each(DIALECTS)('PagerDuty model extensions in config as code on %s', (dialect) => {
  const dbs = testDatabases();
  afterAll(() => dbs.cleanup());

  it('applies rule urgencies, a rotation start before the layer start, second-long turns, urgency rules and support hours; export gives them back and a second apply changes nothing', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const doc = parseConfigFile('klaxon.yaml', DOC);
    const first = await applyConfig(ctx, SYSTEM, doc, { dryRun: false });
    expect(first.changes).toContain('+ service checkout');
    const ann = must(
      (await listUsers(ctx, SYSTEM)).find((u) => u.email === 'ann@example.com'),
      "listUsers() entry where u.email === 'ann@example.com'",
    );
    const rules = await listNotificationRules(ctx, SYSTEM, ann.id);
    expect(rules.map((r) => [r.delayMinutes, r.urgency]).sort()).toEqual([
      [0, 'high'],
      [0, 'low'],
      [5, 'any'],
    ]);
    const checkout = await getService(ctx, SYSTEM, 'checkout');
    expect(checkout.urgencyRule).toEqual({ type: 'support-hours', during: 'high', outside: 'low' });
    expect(checkout.supportHours?.timeZone).toBe('America/Lima');
    expect((await getService(ctx, SYSTEM, 'batch')).urgencyRule).toEqual({ type: 'constant', urgency: 'low' });

    // The weekly rotation counts from Monday 2 March 09:00 (Ann), so on Wednesday at 12:00 (the layer
    // start) it is still Ann's turn, nothing before, and Ben takes over on Monday 9 March at 09:00 Berlin.
    const final = await getFinalSchedule(ctx, SYSTEM, 'Weekly', { from: Date.parse('2026-03-02T00:00:00Z'), to: Date.parse('2026-03-10T00:00:00Z') });
    const emailOf = new Map((await listUsers(ctx, SYSTEM)).map((u) => [u.id, u.email]));
    const shifts = final.shifts.map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(), who: s.userIds.map((id) => emailOf.get(id)) }));
    expect(shifts[0]).toEqual({ start: '2026-03-04T11:00:00.000Z', end: '2026-03-09T08:00:00.000Z', who: ['ann@example.com'] });
    expect(shifts[1]?.start).toBe('2026-03-09T08:00:00.000Z');
    expect(shifts[1]?.who).toEqual(['ben@example.com']);
    // 5430-second turns: Ben 00:00:00-01:30:30, Cy until 03:01:00 (the higher layer wins over the weekly one).
    const odd = await getFinalSchedule(ctx, SYSTEM, 'Weekly', { from: Date.parse('2026-03-10T00:00:00Z'), to: Date.parse('2026-03-10T03:01:00Z') });
    expect(odd.shifts.map((s) => [new Date(s.start).toISOString(), emailOf.get(must(s.userIds[0], 's.userIds[0]'))])).toEqual([
      ['2026-03-10T00:00:00.000Z', 'ben@example.com'],
      ['2026-03-10T01:30:30.000Z', 'cy@example.com'],
    ]);

    const exported = await exportConfig(ctx, SYSTEM);
    const week = must(
      must(
        must(exported.schedules, 'exported.schedules').find((s) => s.name === 'Weekly'),
        "exported.schedules entry where s.name === 'Weekly'",
      ).layers[0],
      'exported.schedules.find().layers[0]',
    );
    expect(week.rotationStart).toBe('2026-03-02T09:00');
    expect(
      must(
        must(exported.services, 'exported.services').find((s) => s.name === 'checkout'),
        "exported.services entry where s.name === 'checkout'",
      ).urgencyRule,
    ).toEqual({ type: 'support-hours', during: 'high', outside: 'low' });
    expect(
      must(
        must(exported.users, 'exported.users').find((u) => u.email === 'ann@example.com'),
        "exported.users entry where u.email === 'ann@example.com'",
      ).notificationRules,
    ).toContainEqual({ contactMethod: 'cell', delayMinutes: 0, urgency: 'high' });
    expect((await applyConfig(ctx, SYSTEM, exported, { dryRun: false })).changes).toEqual([]);
    expect((await applyConfig(ctx, SYSTEM, doc, { dryRun: false })).changes).toEqual([]);
  });

  it('describes changed urgencies, urgency rules, support hours and rotation starts in change lines', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await applyConfig(ctx, SYSTEM, parseConfigFile('klaxon.yaml', DOC), { dryRun: false });
    const changed = DOC.replace('{ contactMethod: cell, delayMinutes: 0, urgency: high }', '{ contactMethod: cell, delayMinutes: 0 }')
      .replace('rotationStart: "2026-03-02T09:00"', 'rotationStart: "2026-02-23T09:00"')
      .replace('{ type: constant, urgency: low }', '{ type: severity }')
      .replace('start: "09:00", end: "17:00"', 'start: "08:00", end: "17:00"');
    const r = await applyConfig(ctx, SYSTEM, parseConfigFile('klaxon.yaml', changed), { dryRun: false });
    expect(r.changes).toEqual(
      expect.arrayContaining([
        '- notification rule ann@example.com: cell after 0 min (high urgency)',
        '+ notification rule ann@example.com: cell after 0 min',
        '~ schedule Weekly: layer week: rotationStart 2026-03-02T09:00 -> 2026-02-23T09:00',
        '~ service batch: urgencyRule constant low -> severity',
        '~ service checkout: supportHours mon,tue,wed,thu,fri 09:00-17:00 America/Lima -> mon,tue,wed,thu,fri 08:00-17:00 America/Lima',
      ]),
    );
    const ann = must(
      (await listUsers(ctx, SYSTEM)).find((u) => u.email === 'ann@example.com'),
      "listUsers() entry where u.email === 'ann@example.com'",
    );
    expect((await listNotificationRules(ctx, SYSTEM, ann.id)).find((x) => x.delayMinutes === 0 && x.urgency !== 'low')?.urgency).toBe('any');
  });

  it('refuses a rotation start after the layer start, naming the field', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const bad = DOC.replace('rotationStart: "2026-03-02T09:00"', 'rotationStart: "2026-03-05T09:00"');
    await expect(applyConfig(ctx, SYSTEM, parseConfigFile('klaxon.yaml', bad), { dryRun: false })).rejects.toThrow(/rotationStart: must be at or before start/);
  });
});
