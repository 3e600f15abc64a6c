/**
 * A realistic Opsgenie account for the fake, built relative to "now" so tests hold on any day. It uses
 * every rotation type (hourly, daily, weekly with lengths), participants of every kind (user, team,
 * escalation, none), both time restriction types, a rotation with an end date, a future and a past
 * override, every escalation condition and notifyType, delays that do not round (4 minutes), a repeat,
 * team routing to an escalation, to a schedule and to nobody, services, integrations of several types,
 * a heartbeat and maintenance windows.
 */
import { DateTime } from 'luxon';
import type { Override, Schedule } from './semantics.js';
import { must } from '../../../src/lib/must.js';

export interface OgFixture {
  users: { id: string; username: string; fullName: string; timeZone: string; role: { id: string; name: string }; blocked?: boolean }[];
  contacts: Record<string, { id: string; method: string; to: string; status: { enabled: boolean } }[]>;
  rules: Record<string, Record<string, unknown>[]>;
  teams: { id: string; name: string; description: string; members: { user: { id: string; username: string }; role: string }[] }[];
  routing: Record<string, Record<string, unknown>[]>;
  schedules: (Schedule & { description: string; enabled: boolean; ownerTeam?: { id: string; name: string } })[];
  overrides: Record<string, Override[]>;
  escalations: Record<string, unknown>[];
  services: Record<string, unknown>[];
  integrations: Record<string, unknown>[];
  heartbeats: Record<string, unknown>[];
  maintenance: (Record<string, unknown> & { rules?: unknown[] })[];
}

const iso = (d: DateTime) => must(d.toUTC().toISO({ suppressMilliseconds: true }), 'd.toUTC().toISO({ suppressMilliseconds: true })');

export function opsgenieFixture(now = Date.now()): OgFixture {
  const user = (id: string, name: string, tz: string, role = 'User') => ({ id, username: `${id}@example.com`, fullName: name, timeZone: tz, role: { id: role, name: role } });
  const users = [
    user('alice', 'Alice Archer', 'Europe/Berlin', 'Admin'),
    user('bob', 'Bob Baker', 'Europe/Berlin'),
    user('carol', 'Carol Chen', 'America/New_York'),
    user('dave', 'Dave Diaz', 'America/New_York', 'Owner'),
    user('erin', 'Erin Evans', 'Asia/Tokyo'),
    user('frank', 'Frank Fox', 'UTC', 'Observer'),
  ];
  const ref = (id: string) => ({ type: 'user' as const, id, username: `${id}@example.com` });
  const contacts: OgFixture['contacts'] = {};
  for (const [i, u] of users.entries()) {
    contacts[u.id] = [
      { id: `${u.id}-email`, method: 'email', to: u.username, status: { enabled: true } },
      { id: `${u.id}-sms`, method: 'sms', to: `1-555000000${i}`, status: { enabled: true } },
      { id: `${u.id}-voice`, method: 'voice', to: `1-555000000${i}`, status: { enabled: true } },
      { id: `${u.id}-mobile`, method: 'mobile', to: `${u.username}`, status: { enabled: true } },
    ];
  }
  must(contacts.bob, 'contacts.bob').push({ id: 'bob-old-sms', method: 'sms', to: '44-7700900123', status: { enabled: false } });
  const step = (method: string, to: string, minutes: number, enabled = true) => ({ sendAfter: { timeAmount: minutes, timeUnit: 'minutes' }, contact: { method, to }, enabled });
  const rules: OgFixture['rules'] = {};
  for (const u of users) {
    rules[u.id] = [
      { id: `${u.id}-new`, name: 'New alert', actionType: 'create-alert', order: 1, enabled: true, criteria: { type: 'match-all' }, steps: [step('email', u.username, 0)], repeat: { enabled: false } },
    ];
  }
  // Alice: email at once, SMS after 1, a call after 4 (not 5), push; a P1-only rule and a shift reminder.
  rules.alice = [
    {
      id: 'alice-p1',
      name: 'P1 only',
      actionType: 'create-alert',
      order: 1,
      enabled: true,
      criteria: { type: 'match-any-condition', conditions: [{ field: 'priority', operation: 'equals', expectedValue: 'P1' }] },
      steps: [step('voice', '1-5550000000', 0)],
    },
    {
      id: 'alice-new',
      name: 'Everything',
      actionType: 'create-alert',
      order: 2,
      enabled: true,
      criteria: { type: 'match-all' },
      steps: [step('email', 'alice@example.com', 0), step('sms', '1-5550000000', 1), step('voice', '1-5550000000', 4), step('mobile', 'alice@example.com', 0)],
      repeat: { loopAfter: 10, enabled: true },
    },
    { id: 'alice-shift', name: 'Shift starts', actionType: 'schedule-start', order: 3, enabled: true, notificationTime: ['15-minutes-ago'] },
  ];
  // Bob: only during office hours.
  rules.bob = [
    {
      id: 'bob-office',
      name: 'Office hours',
      actionType: 'create-alert',
      order: 1,
      enabled: true,
      criteria: { type: 'match-all' },
      timeRestriction: { type: 'time-of-day', restriction: { startHour: 9, startMin: 0, endHour: 17, endMin: 0 } },
      steps: [step('sms', '1-5550000001', 0), step('email', 'bob@example.com', 2)],
    },
  ];

  const member = (id: string, role: string) => ({ user: { id, username: `${id}@example.com` }, role });
  const teams = [
    { id: 'team-sre', name: 'SRE', description: 'Site reliability', members: [member('alice', 'admin'), member('bob', 'user'), member('carol', 'user')] },
    { id: 'team-pay', name: 'Payments', description: 'Payments team', members: [member('dave', 'admin'), member('erin', 'user')] },
    { id: 'team-solo', name: 'Solo', description: 'One person', members: [member('frank', 'user')] },
  ];
  const routing: OgFixture['routing'] = {
    'team-sre': [
      {
        id: 'sre-p1',
        name: 'P1 to payments',
        isDefault: false,
        order: 0,
        criteria: { type: 'match-all-conditions', conditions: [{ field: 'priority', operation: 'equals', expectedValue: 'P1' }] },
        notify: { type: 'escalation', id: 'esc-pay', name: 'Payments escalation' },
      },
      { id: 'sre-default', name: 'Default', isDefault: true, order: 1, criteria: { type: 'match-all' }, notify: { type: 'escalation', id: 'esc-sre', name: 'SRE escalation' } },
    ],
    'team-pay': [{ id: 'pay-default', name: 'Default', isDefault: true, order: 0, criteria: { type: 'match-all' }, notify: { type: 'schedule', id: 'sch-pay', name: 'Payments rota' } }],
    'team-solo': [{ id: 'solo-default', name: 'Default', isDefault: true, order: 0, criteria: { type: 'match-all' }, notify: { type: 'none' } }],
  };

  const berlin = DateTime.fromMillis(now, { zone: 'Europe/Berlin' });
  const ny = DateTime.fromMillis(now, { zone: 'America/New_York' });
  const mondayBerlin = berlin.startOf('week').minus({ weeks: 3 }).set({ hour: 9 });
  const schedules: OgFixture['schedules'] = [
    {
      id: 'sch-sre',
      name: 'SRE primary',
      description: 'Weekly primary, nights, weekend help',
      timezone: 'Europe/Berlin',
      enabled: true,
      ownerTeam: { id: 'team-sre', name: 'SRE' },
      rotations: [
        { id: 'rot-weekly', name: 'Weekly', startDate: iso(mondayBerlin), type: 'weekly', length: 1, participants: [ref('alice'), ref('bob'), ref('carol')] },
        {
          id: 'rot-nights',
          name: 'Nights',
          startDate: iso(mondayBerlin.plus({ days: 1 }).set({ hour: 18, minute: 30 })),
          type: 'daily',
          length: 2,
          participants: [ref('dave'), { type: 'none' }, ref('erin')],
          timeRestriction: { type: 'time-of-day', restriction: { startHour: 18, startMin: 30, endHour: 8, endMin: 0 } },
        },
        {
          id: 'rot-weekend',
          name: 'Weekend and lunch',
          startDate: iso(mondayBerlin.plus({ days: 2 }).set({ hour: 12 })),
          type: 'hourly',
          length: 6,
          participants: [ref('frank'), { type: 'team', id: 'team-pay', name: 'Payments' }],
          timeRestriction: {
            type: 'weekday-and-time-of-day',
            restrictions: [
              { startDay: 'saturday', startHour: 0, startMin: 0, endDay: 'monday', endHour: 0, endMin: 0 },
              { startDay: 'wednesday', startHour: 12, startMin: 0, endDay: 'wednesday', endHour: 14, endMin: 0 },
            ],
          },
        },
      ],
    },
    {
      id: 'sch-pay',
      name: 'Payments rota',
      description: 'Payments on-call',
      timezone: 'America/New_York',
      enabled: true,
      ownerTeam: { id: 'team-pay', name: 'Payments' },
      rotations: [
        {
          id: 'rot-pay-daily',
          name: 'Daily',
          startDate: iso(ny.startOf('day').minus({ days: 10 }).set({ hour: 8 })),
          endDate: iso(ny.startOf('day').plus({ days: 30 }).set({ hour: 8 })),
          type: 'daily',
          length: 1,
          participants: [ref('dave'), ref('erin')],
        },
        {
          id: 'rot-pay-esc',
          name: 'Backup escalation',
          startDate: iso(ny.startOf('day').minus({ days: 7 }).set({ hour: 20 })),
          type: 'weekly',
          length: 2,
          participants: [{ type: 'escalation', id: 'esc-pay', name: 'Payments escalation' }, ref('carol')],
        },
      ],
    },
  ];
  const overrides: OgFixture['overrides'] = {
    'sch-sre': [
      { alias: 'ovr-future', user: ref('bob'), startDate: iso(berlin.startOf('day').plus({ days: 9 }).set({ hour: 10 })), endDate: iso(berlin.startOf('day').plus({ days: 10 }).set({ hour: 10 })) },
      {
        alias: 'ovr-nights',
        user: ref('erin'),
        startDate: iso(berlin.startOf('day').plus({ days: 12 }).set({ hour: 20 })),
        endDate: iso(berlin.startOf('day').plus({ days: 13 }).set({ hour: 6 })),
        rotations: [{ id: 'rot-nights', name: 'Nights' }],
      },
      { alias: 'ovr-past', user: ref('carol'), startDate: iso(berlin.startOf('day').minus({ days: 5 })), endDate: iso(berlin.startOf('day').minus({ days: 4 })) },
    ],
    'sch-pay': [],
  };
  const rule = (condition: string, notifyType: string, minutes: number, recipient: Record<string, unknown>) => ({
    condition,
    notifyType,
    delay: { timeAmount: minutes, timeUnit: 'minutes' },
    recipient,
  });
  const escalations = [
    {
      id: 'esc-sre',
      name: 'SRE escalation',
      description: 'Primary, backup, team admins, previous, random, everyone',
      ownerTeam: { id: 'team-sre', name: 'SRE' },
      rules: [
        rule('if-not-acked', 'default', 0, { type: 'schedule', id: 'sch-sre', name: 'SRE primary' }),
        rule('if-not-acked', 'next', 4, { type: 'schedule', id: 'sch-sre', name: 'SRE primary' }),
        rule('if-not-closed', 'admins', 4, { type: 'team', id: 'team-sre', name: 'SRE' }),
        rule('if-not-acked', 'previous', 10, { type: 'schedule', id: 'sch-sre', name: 'SRE primary' }),
        rule('if-not-acked', 'random', 15, { type: 'team', id: 'team-solo', name: 'Solo' }),
        rule('if-not-acked', 'all', 20, { type: 'team', id: 'team-pay', name: 'Payments' }),
        rule('if-not-acked', 'default', 20, { type: 'user', id: 'alice', username: 'alice@example.com' }),
        rule('if-not-acked', 'default', 25, { type: 'team', id: 'team-pay', name: 'Payments' }),
      ],
      repeat: { waitInterval: 10, count: 2, resetRecipientStates: false, closeAlertAfterAll: true },
    },
    {
      id: 'esc-pay',
      name: 'Payments escalation',
      description: 'Dave and Erin, then the team, then SRE',
      ownerTeam: { id: 'team-pay', name: 'Payments' },
      rules: [
        rule('if-not-acked', 'default', 2, { type: 'user', id: 'dave', username: 'dave@example.com' }),
        rule('if-not-acked', 'default', 2, { type: 'user', id: 'erin', username: 'erin@example.com' }),
        rule('if-not-closed', 'users', 7, { type: 'team', id: 'team-pay', name: 'Payments' }),
        rule('if-not-acked', 'default', 9, { type: 'team', id: 'team-sre', name: 'SRE' }),
      ],
      repeat: null,
    },
  ];
  const services = [
    { id: 'svc-checkout', name: 'Checkout', description: 'Checkout API', teamId: 'team-sre' },
    { id: 'svc-billing', name: 'Billing', description: 'Billing jobs', teamId: 'team-pay' },
    { id: 'svc-batch', name: 'Batch', description: 'Nightly batch', teamId: 'team-solo' },
  ];
  const integrations = [
    { id: 'int-prom', name: 'Prometheus', type: 'Prometheus', enabled: true, teamId: 'team-sre' },
    { id: 'int-api', name: 'Deploy API', type: 'API', enabled: true, teamId: 'team-sre' },
    { id: 'int-grafana', name: 'Grafana', type: 'Grafana', enabled: true, teamId: 'team-pay' },
    { id: 'int-datadog', name: 'Datadog', type: 'Datadog', enabled: true, teamId: 'team-pay' },
    { id: 'int-email', name: 'Mailbox', type: 'Email', enabled: true, teamId: 'team-sre' },
    { id: 'int-legacy', name: 'Legacy API', type: 'API', enabled: true, teamId: null },
    { id: 'int-off', name: 'Old webhook', type: 'API', enabled: false, teamId: 'team-sre' },
  ];
  const heartbeats = [
    { name: 'nightly-backup', description: 'Backup finished', interval: 25, intervalUnit: 'hours', enabled: true, ownerTeam: { id: 'team-solo', name: 'Solo' } },
    { name: 'queue-drain', description: 'Queue drained', interval: 30, intervalUnit: 'minutes', enabled: false, ownerTeam: { id: 'team-sre', name: 'SRE' } },
    { name: 'report/weekly', description: 'A name Klaxon cannot hold', interval: 7, intervalUnit: 'days', enabled: true },
  ];
  const maintenance = [
    // Integration rules are always state "disabled" (Opsgenie stops the integration); policy rules enable or disable a policy.
    {
      id: 'mnt-next',
      status: 'planned',
      description: 'Database upgrade',
      time: { type: 'schedule', startDate: iso(berlin.plus({ days: 3 })), endDate: iso(berlin.plus({ days: 3, hours: 2 })) },
      rules: [
        { state: 'disabled', entity: { id: 'int-grafana', type: 'integration' } },
        { state: 'enabled', entity: { id: 'pol-quiet', type: 'policy' } },
      ],
    },
    {
      id: 'mnt-now',
      status: 'active',
      description: 'Network work',
      time: { type: 'for-1-hour', startDate: iso(berlin.minus({ minutes: 10 })), endDate: iso(berlin.plus({ minutes: 50 })) },
      rules: [{ state: 'disabled', entity: { id: 'int-prom', type: 'integration' } }],
    },
    {
      id: 'mnt-forever',
      status: 'active',
      description: 'Legacy shutdown',
      time: { type: 'indefinitely', startDate: iso(berlin.minus({ days: 1 })) },
      rules: [{ state: 'disabled', entity: { id: 'int-legacy', type: 'integration' } }],
    },
  ];
  return { users, contacts, rules, teams, routing, schedules, overrides, escalations, services, integrations, heartbeats, maintenance };
}
