/*
 * A realistic PagerDuty account for the fake, built relative to "now" so tests stay valid any day:
 * every rotation kind (daily, weekly, custom hours, custom days, an odd length in seconds), daily and
 * weekly restrictions, layer start/end, rotation_virtual_start before start, a user twice in a layer,
 * overlapping layers (precedence), zones with and without DST, past and future overrides, escalation
 * rules with user and schedule targets and num_loops, services with support hours and urgency rules,
 * Events API v2 / v1 / email integrations, and a maintenance window.
 */
import { DateTime } from 'luxon';
import type { PdSchedule } from './semantics.js';
import { must } from '../../../src/lib/must.js';

export interface PdContactMethod {
  id: string;
  type: 'email_contact_method' | 'phone_contact_method' | 'sms_contact_method' | 'push_notification_contact_method';
  label: string;
  address: string;
  country_code?: number;
}

export interface PdUser {
  id: string;
  name: string;
  email: string;
  time_zone: string;
  role: string;
  contact_methods: PdContactMethod[];
  notification_rules: { id: string; start_delay_in_minutes: number; urgency: 'high' | 'low'; contact_method: string }[];
}

export interface PdAccount {
  users: PdUser[];
  teams: { id: string; name: string; description: string; members: { user: string; role: 'manager' | 'responder' | 'observer' }[] }[];
  schedules: (PdSchedule & { description: string; teams: string[] })[];
  escalation_policies: {
    id: string;
    name: string;
    description: string;
    num_loops: number;
    on_call_handoff_notifications: 'if_has_services' | 'always';
    teams: string[];
    escalation_rules: {
      id: string;
      escalation_delay_in_minutes: number;
      targets: { type: 'user_reference' | 'schedule_reference'; id: string }[];
      escalation_rule_assignment_strategy?: 'round_robin' | 'assign_to_everyone';
    }[];
  }[];
  services: {
    id: string;
    name: string;
    description: string;
    escalation_policy: string;
    teams: string[];
    auto_resolve_timeout: number | null;
    acknowledgement_timeout: number | null;
    incident_urgency_rule: Record<string, unknown>;
    support_hours: Record<string, unknown> | null;
    scheduled_actions: Record<string, unknown>[];
    integrations: { id: string; type: string; name: string; vendor?: string; integration_key?: string; integration_email?: string }[];
  }[];
  maintenance_windows: { id: string; description: string; start: number; end: number; services: string[] }[];
}

/** The account, with "now" at `now` (epoch ms). */
export function buildAccount(now: number): PdAccount {
  const berlin = (weeksFromNow: number, weekday: number, hour: number, minute = 0) =>
    DateTime.fromMillis(now, { zone: 'Europe/Berlin' })
      .startOf('week')
      .plus({ weeks: weeksFromNow, days: weekday - 1 })
      .set({ hour, minute })
      .toMillis();
  const newYork = (daysFromNow: number, hour: number) => DateTime.fromMillis(now, { zone: 'America/New_York' }).startOf('day').plus({ days: daysFromNow }).set({ hour }).toMillis();
  const kolkata = (weeksFromNow: number, weekday: number, hour: number) =>
    DateTime.fromMillis(now, { zone: 'Asia/Kolkata' })
      .startOf('week')
      .plus({ weeks: weeksFromNow, days: weekday - 1 })
      .set({ hour })
      .toMillis();
  const HOUR = 3_600_000;

  const users: PdUser[] = [
    {
      id: 'PALICE1',
      name: 'Alice Chen',
      email: 'alice@example.com',
      time_zone: 'Europe/Berlin',
      role: 'admin',
      contact_methods: [
        { id: 'PCMAE01', type: 'email_contact_method', label: 'Default', address: 'alice@example.com' },
        { id: 'PCMAS01', type: 'sms_contact_method', label: 'Mobile', address: '7700900101', country_code: 44 },
        { id: 'PCMAV01', type: 'phone_contact_method', label: 'Mobile', address: '7700900101', country_code: 44 },
        { id: 'PCMAP01', type: 'push_notification_contact_method', label: 'Pixel 8', address: 'push-token-alice' },
      ],
      notification_rules: [
        { id: 'PNRA001', start_delay_in_minutes: 0, urgency: 'high', contact_method: 'PCMAE01' },
        { id: 'PNRA002', start_delay_in_minutes: 0, urgency: 'low', contact_method: 'PCMAE01' },
        { id: 'PNRA003', start_delay_in_minutes: 1, urgency: 'high', contact_method: 'PCMAS01' },
        { id: 'PNRA004', start_delay_in_minutes: 4, urgency: 'high', contact_method: 'PCMAV01' },
        { id: 'PNRA005', start_delay_in_minutes: 0, urgency: 'high', contact_method: 'PCMAP01' },
        { id: 'PNRA006', start_delay_in_minutes: 7, urgency: 'low', contact_method: 'PCMAS01' },
      ],
    },
    {
      id: 'PBOB001',
      name: 'Bob Okafor',
      email: 'Bob@Example.com',
      time_zone: 'America/New_York',
      role: 'user',
      contact_methods: [
        { id: 'PCMBE01', type: 'email_contact_method', label: 'Work', address: 'bob@example.com' },
        { id: 'PCMBS01', type: 'sms_contact_method', label: 'Cell', address: '2125550143', country_code: 1 },
        // Too short to dial: reported, not a refusal of the whole import.
        { id: 'PCMBV99', type: 'phone_contact_method', label: 'Old desk', address: '5550', country_code: 1 },
      ],
      notification_rules: [
        { id: 'PNRB001', start_delay_in_minutes: 0, urgency: 'high', contact_method: 'PCMBS01' },
        { id: 'PNRB002', start_delay_in_minutes: 0, urgency: 'low', contact_method: 'PCMBE01' },
      ],
    },
    ...(['carol', 'dave', 'erin', 'frank'] as const).map((n, i) => ({
      id: `P${n.toUpperCase().padEnd(6, 'X')}`,
      name: must(n[0], 'n[0]').toUpperCase() + n.slice(1),
      email: `${n}@example.com`,
      time_zone: i % 2 ? 'Asia/Kolkata' : 'America/Lima',
      role: i === 0 ? 'observer' : 'user',
      contact_methods: [{ id: `PCM${n.toUpperCase()}`, type: 'email_contact_method' as const, label: 'Default', address: `${n}@example.com` }],
      notification_rules: [
        { id: `PNR${n}H`, start_delay_in_minutes: 0, urgency: 'high' as const, contact_method: `PCM${n.toUpperCase()}` },
        { id: `PNR${n}L`, start_delay_in_minutes: 0, urgency: 'low' as const, contact_method: `PCM${n.toUpperCase()}` },
      ],
    })),
  ];
  const id = (n: string) =>
    must(
      users.find((u) => u.name.toLowerCase().startsWith(n)),
      'users entry where u.name.toLowerCase().startsWith(n)',
    ).id;

  const schedules: PdAccount['schedules'] = [
    {
      id: 'PSCHPAY',
      name: 'Payments Primary',
      description: 'Weekly, nights and weekends',
      time_zone: 'Europe/Berlin',
      teams: ['PTEAMPY'],
      layers: [
        {
          // Weekly from Monday 09:00, counted from 5 weeks ago, but the layer only started on a Wednesday at 12:00.
          id: 'PLAYP01',
          name: 'Layer 1',
          rotation_virtual_start: berlin(-5, 1, 9),
          start: berlin(-5, 3, 12),
          rotation_turn_length_seconds: 604_800,
          users: [id('alice'), id('bob'), id('carol')],
          restrictions: [],
        },
        {
          // Nights, daily hand-off at 18:00, restricted to 18:00-09:00; ends in 5 weeks.
          id: 'PLAYP02',
          name: 'Layer 2',
          rotation_virtual_start: berlin(-2, 1, 18),
          start: berlin(-2, 1, 18),
          end: berlin(5, 1, 18),
          rotation_turn_length_seconds: 86_400,
          users: [id('dave'), id('erin')],
          restrictions: [{ type: 'daily_restriction', start_time_of_day: '18:00:00', duration_seconds: 15 * 3600 }],
        },
        {
          // Weekends: Saturday 00:00 for 48 hours, weekly turns.
          id: 'PLAYP03',
          name: 'Layer 3',
          rotation_virtual_start: berlin(-1, 6, 0),
          start: berlin(-1, 6, 0),
          rotation_turn_length_seconds: 604_800,
          users: [id('frank'), id('alice')],
          restrictions: [{ type: 'weekly_restriction', start_day_of_week: 6, start_time_of_day: '00:00:00', duration_seconds: 172_800 }],
        },
      ],
      overrides: [
        { id: 'POVRP01', start: now - 30 * HOUR, end: now - 26 * HOUR, user: id('erin') },
        { id: 'POVRP02', start: Math.ceil((now + 26 * HOUR) / HOUR) * HOUR, end: Math.ceil((now + 30 * HOUR) / HOUR) * HOUR, user: id('erin') },
      ],
    },
    {
      id: 'PSCHPLT',
      name: 'Platform 12h',
      description: '',
      time_zone: 'America/New_York',
      teams: [],
      layers: [
        {
          id: 'PLAYL01',
          name: 'Layer 1',
          rotation_virtual_start: newYork(-20, 7),
          start: newYork(-20, 7),
          rotation_turn_length_seconds: 43_200,
          users: [id('bob'), id('dave'), id('bob'), id('erin')],
          restrictions: [],
        },
        {
          // An odd length (1 h 30 min 30 s) for one day, three weeks from now.
          id: 'PLAYL02',
          name: 'Layer 2',
          rotation_virtual_start: newYork(21, 0),
          start: newYork(21, 0),
          end: newYork(22, 0),
          rotation_turn_length_seconds: 5_430,
          users: [id('carol'), id('frank')],
          restrictions: [],
        },
      ],
      overrides: [],
    },
    {
      id: 'PSCHSUN',
      name: 'India business days',
      description: 'Two-day turns, weekdays 09:00-17:00 only',
      time_zone: 'Asia/Kolkata',
      teams: ['PTEAMPL'],
      layers: [
        {
          id: 'PLAYS01',
          name: 'Layer 1',
          rotation_virtual_start: kolkata(-3, 1, 9),
          start: kolkata(-3, 1, 9),
          rotation_turn_length_seconds: 172_800,
          users: [id('dave'), id('frank')],
          restrictions: [
            { type: 'weekly_restriction', start_day_of_week: 1, start_time_of_day: '09:00:00', duration_seconds: 4 * 86_400 + 8 * 3600 },
            { type: 'daily_restriction', start_time_of_day: '13:30:00', duration_seconds: 3600 },
          ],
        },
      ],
      overrides: [],
    },
  ];

  return {
    users,
    teams: [
      {
        id: 'PTEAMPY',
        name: 'Payments',
        description: 'Card payments',
        members: [
          { user: id('alice'), role: 'manager' },
          { user: id('bob'), role: 'responder' },
          { user: id('carol'), role: 'observer' },
        ],
      },
      {
        id: 'PTEAMPL',
        name: 'Platform',
        description: '',
        members: [
          { user: id('dave'), role: 'responder' },
          { user: id('erin'), role: 'responder' },
          { user: id('frank'), role: 'manager' },
        ],
      },
    ],
    schedules,
    escalation_policies: [
      {
        id: 'PEPPAY1',
        name: 'Payments',
        description: 'Primary, then Bob and the platform on-call, then Carol',
        num_loops: 2,
        on_call_handoff_notifications: 'always',
        teams: ['PTEAMPY'],
        escalation_rules: [
          { id: 'PERP001', escalation_delay_in_minutes: 10, targets: [{ type: 'schedule_reference', id: 'PSCHPAY' }] },
          {
            id: 'PERP002',
            escalation_delay_in_minutes: 4,
            targets: [
              { type: 'user_reference', id: id('bob') },
              { type: 'schedule_reference', id: 'PSCHPLT' },
            ],
          },
          { id: 'PERP003', escalation_delay_in_minutes: 15, targets: [{ type: 'user_reference', id: id('carol') }] },
        ],
      },
      {
        id: 'PEPPLT1',
        name: 'Platform',
        description: '',
        num_loops: 0,
        on_call_handoff_notifications: 'if_has_services',
        teams: [],
        escalation_rules: [
          {
            id: 'PERL001',
            escalation_delay_in_minutes: 30,
            targets: [
              { type: 'schedule_reference', id: 'PSCHPLT' },
              { type: 'schedule_reference', id: 'PSCHSUN' },
            ],
            escalation_rule_assignment_strategy: 'round_robin',
          },
        ],
      },
    ],
    services: [
      {
        id: 'PSVCCHK',
        name: 'Checkout API',
        description: 'Card checkout',
        escalation_policy: 'PEPPAY1',
        teams: ['PTEAMPY'],
        auto_resolve_timeout: null,
        acknowledgement_timeout: null,
        incident_urgency_rule: { type: 'use_support_hours', during_support_hours: { type: 'constant', urgency: 'high' }, outside_support_hours: { type: 'constant', urgency: 'low' } },
        support_hours: { type: 'fixed_time_per_day', time_zone: 'America/Lima', days_of_week: [1, 2, 3, 4, 5], start_time: '09:00:00', end_time: '17:00:00' },
        scheduled_actions: [{ type: 'urgency_change', at: { type: 'named_time', name: 'support_hours_start' }, to_urgency: 'high' }],
        integrations: [
          { id: 'PINTPRM', type: 'events_api_v2_inbound_integration', name: 'Prometheus', vendor: 'Prometheus', integration_key: 'a8f5f167f44f4964e6c998dee827110c' },
          { id: 'PINTEML', type: 'generic_email_inbound_integration', name: 'Email', integration_email: 'checkout@acme.pagerduty.com' },
          { id: 'PINTV1X', type: 'generic_events_api_inbound_integration', name: 'Legacy cron', integration_key: 'c4ca4238a0b923820dcc509a6f75849b' },
        ],
      },
      {
        id: 'PSVCLDG',
        name: 'Ledger',
        description: '',
        escalation_policy: 'PEPPLT1',
        teams: [],
        auto_resolve_timeout: 14_400,
        acknowledgement_timeout: 1_800,
        incident_urgency_rule: { type: 'constant', urgency: 'low' },
        support_hours: null,
        scheduled_actions: [],
        integrations: [{ id: 'PINTDDG', type: 'events_api_v2_inbound_integration', name: 'Datadog', vendor: 'Datadog', integration_key: 'e4da3b7fbbce2345d7772b0674a318d5' }],
      },
      {
        id: 'PSVCSEV',
        name: 'Search',
        description: '',
        escalation_policy: 'PEPPLT1',
        teams: ['PTEAMPL'],
        auto_resolve_timeout: null,
        acknowledgement_timeout: null,
        incident_urgency_rule: { type: 'constant', urgency: 'severity_based' },
        support_hours: null,
        scheduled_actions: [],
        integrations: [],
      },
    ],
    maintenance_windows: [{ id: 'PMWLDG1', description: 'Ledger database upgrade', start: now + 72 * HOUR, end: now + 74 * HOUR, services: ['PSVCLDG'] }],
  };
}
