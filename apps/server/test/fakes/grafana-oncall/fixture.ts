/**
 * A realistic Grafana OnCall account, relative to `now` so tests hold any day: every shift type
 * (rolling_users hourly/daily/weekly, weekday masks on daily and weekly rotations, interval, levels, rotation_start, until,
 * recurrent_event, single_event, web override), iCal and calendar schedules, every escalation step
 * type, and alertmanager / Grafana Alerting / webhook integrations with routes, a heartbeat and
 * maintenance. Objects the importer cannot map exactly sit in the schedule "Unmappable", the chains'
 * unmappable steps and the users' unmappable rules; `expectedItems` lists them.
 */
import type { GrafanaData } from './server.js';

const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

export interface FixtureOptions {
  /** Adds the schedule "Pairs" with two shifts at one level (needs Klaxon's layering: union). */
  union?: boolean;
}

export function grafanaFixture(now: number, o: FixtureOptions = {}): GrafanaData {
  const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  const dow = (new Date(today).getUTCDay() + 6) % 7; // 0 = Monday
  const monday0 = today - dow * DAY - 35 * DAY;
  const saturday0 = monday0 + 5 * DAY;
  // The first day of last month: a monthly occurrence falls in every six-week span after now.
  const firstOfLastMonth = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() - 1, 1);
  const at = (t: number, hhmm: string) => `${isoDay(t)}T${hhmm}:00`;

  const users = [
    {
      id: 'U1ALICE',
      grafana_id: 1,
      email: 'Alice@Example.com',
      username: 'alice',
      role: 'admin',
      timezone: 'Europe/Berlin',
      teams: ['TSRE'],
      slack: { user_id: 'U0ALICE', team_id: 'T0SLACK' },
      is_phone_number_verified: true,
    },
    { id: 'U2BOB', grafana_id: 2, email: 'bob@example.com', username: 'bob', role: 'editor', timezone: 'America/New_York', teams: ['TSRE'], slack: null, is_phone_number_verified: false },
    { id: 'U3CAROL', grafana_id: 3, email: 'carol@example.com', username: 'carol', role: 'editor', timezone: 'UTC', teams: ['TSRE', 'TDB'], slack: null, is_phone_number_verified: false },
    { id: 'U4DAVE', grafana_id: 4, email: 'dave@example.com', username: 'dave', role: 'viewer', timezone: 'Asia/Kolkata', teams: ['TDB'], slack: null, is_phone_number_verified: false },
    { id: 'U5ERIN', grafana_id: 5, email: 'erin@example.com', username: 'erin', role: 'editor', timezone: 'Europe/Berlin', teams: [], slack: null, is_phone_number_verified: false },
    { id: 'U6FRANK', grafana_id: 6, email: 'frank@example.com', username: 'frank', role: 'none', timezone: null, teams: [], slack: null, is_phone_number_verified: false },
  ];
  const rule = (id: string, user_id: string, position: number, type: string, extra: Record<string, unknown> = {}) => ({ id, user_id, position, important: false, type, ...extra });
  const personal_notification_rules = [
    rule('NA1', 'U1ALICE', 0, 'notify_by_email'),
    rule('NA2', 'U1ALICE', 1, 'wait', { duration: 300 }),
    rule('NA3', 'U1ALICE', 2, 'notify_by_sms'),
    rule('NA4', 'U1ALICE', 3, 'wait', { duration: 900 }),
    rule('NA5', 'U1ALICE', 4, 'notify_by_slack'),
    rule('NA6', 'U1ALICE', 0, 'notify_by_phone_call', { important: true }),
    rule('NB1', 'U2BOB', 0, 'notify_by_mobile_app'),
    rule('NB2', 'U2BOB', 1, 'wait', { duration: 60 }),
    rule('NB3', 'U2BOB', 2, 'notify_by_email'),
    rule('NC1', 'U3CAROL', 0, 'notify_by_telegram'),
    rule('NC2', 'U3CAROL', 1, 'notify_by_email'),
    rule('ND1', 'U4DAVE', 0, 'notify_by_email'),
  ];
  const teams = [
    { id: 'TSRE', grafana_id: 11, name: 'SRE', email: 'sre@example.com', avatar_url: '/avatar/sre' },
    { id: 'TDB', grafana_id: 12, name: 'Database', email: null, avatar_url: '/avatar/db' },
  ];
  const user_groups = [{ id: 'UGOPS', type: 'slack_based', slack: { id: 'S0OPS', name: 'Ops', handle: 'ops' } }];

  const schedules: Record<string, unknown>[] = [
    { id: 'SPRIMARY', name: 'Primary', type: 'web', team_id: 'TSRE', time_zone: 'Europe/Berlin', on_call_now: [], shifts: ['OSWEEK', 'OSDAYTIME', 'OSONEOFF', 'OSOVERRIDE', 'OSPAST'], slack: null },
    { id: 'SSUN', name: 'Follow the sun', type: 'web', team_id: null, time_zone: 'America/New_York', on_call_now: [], shifts: ['OSDAILY', 'OSWEEKEND'], slack: null },
    {
      id: 'SINFRA',
      name: 'Infra',
      type: 'calendar',
      team_id: 'TDB',
      time_zone: 'UTC',
      on_call_now: [],
      shifts: ['OSHOURLY', 'OSSATSUN'],
      ical_url_overrides: null,
      enable_web_overrides: false,
      slack: null,
    },
    { id: 'SICAL', name: 'Legacy iCal', type: 'ical', team_id: null, ical_url_primary: 'https://calendar.example.com/oncall.ics', ical_url_overrides: null, on_call_now: [], slack: null },
    { id: 'SWEEKDAY', name: 'Weekday days', type: 'web', team_id: 'TDB', time_zone: 'Europe/Berlin', on_call_now: [], shifts: ['OSMASKED', 'OSEVERY2'], slack: null },
    { id: 'SODD', name: 'Unmappable', type: 'web', team_id: null, time_zone: 'UTC', on_call_now: [], shifts: ['OSMONTHLY'], slack: null },
  ];
  const base = { team_id: null, week_start: 'MO', by_day: null, by_month: null, by_monthday: null, until: null };
  const on_call_shifts: Record<string, unknown>[] = [
    // Primary (Europe/Berlin): weekly rotation of three groups, starting from the second; weekday daytime cover at level 1; a one-off at level 2; a web override; a past one-off.
    {
      ...base,
      id: 'OSWEEK',
      name: 'Weekly',
      type: 'rolling_users',
      schedule: 'SPRIMARY',
      time_zone: null,
      level: 0,
      start: at(monday0, '09:00'),
      rotation_start: at(monday0, '09:00'),
      duration: 7 * 86400,
      frequency: 'weekly',
      interval: 1,
      rolling_users: [['U1ALICE'], ['U2BOB'], ['U3CAROL', 'U4DAVE']],
      start_rotation_from_user_index: 1,
    },
    {
      ...base,
      id: 'OSDAYTIME',
      name: 'Weekday daytime',
      type: 'rolling_users',
      schedule: 'SPRIMARY',
      time_zone: 'Europe/Berlin',
      level: 1,
      start: at(monday0, '09:00'),
      rotation_start: at(monday0, '09:00'),
      duration: 8 * 3600,
      frequency: 'weekly',
      interval: 1,
      by_day: ['MO', 'TU', 'WE', 'TH', 'FR'],
      rolling_users: [['U5ERIN'], ['U1ALICE']],
      start_rotation_from_user_index: 0,
    },
    {
      id: 'OSONEOFF',
      name: 'Launch cover',
      type: 'single_event',
      schedule: 'SPRIMARY',
      team_id: null,
      time_zone: 'Europe/Berlin',
      level: 2,
      start: at(today + 10 * DAY, '12:00'),
      rotation_start: at(today + 10 * DAY, '12:00'),
      duration: 4 * 3600,
      users: ['U4DAVE'],
      source: undefined,
    },
    {
      id: 'OSOVERRIDE',
      name: 'Bob covers',
      type: 'override',
      schedule: 'SPRIMARY',
      team_id: null,
      time_zone: null,
      start: at(today + 3 * DAY, '00:00'),
      rotation_start: at(today + 3 * DAY, '00:00'),
      duration: 86400,
      users: ['U2BOB'],
      rolling_users: [['U2BOB']],
    },
    {
      id: 'OSPAST',
      name: 'Old cover',
      type: 'single_event',
      schedule: 'SPRIMARY',
      team_id: null,
      time_zone: 'UTC',
      level: 3,
      start: at(monday0, '10:00'),
      rotation_start: at(monday0, '10:00'),
      duration: 3600,
      users: ['U5ERIN'],
    },
    // Follow the sun (America/New_York): a daily 12 h rotation that was changed 10 days in (rotation_start), and weekend daytime for two people together at level 1.
    {
      ...base,
      id: 'OSDAILY',
      name: 'Daily days',
      type: 'rolling_users',
      schedule: 'SSUN',
      time_zone: null,
      level: 0,
      start: at(monday0, '08:00'),
      rotation_start: at(monday0 + 10 * DAY, '10:00'),
      duration: 12 * 3600,
      frequency: 'daily',
      interval: 1,
      week_start: 'SU',
      rolling_users: [['U2BOB'], ['U3CAROL']],
      start_rotation_from_user_index: 0,
    },
    {
      ...base,
      id: 'OSWEEKEND',
      name: 'Weekend pair',
      type: 'recurrent_event',
      schedule: 'SSUN',
      time_zone: 'America/New_York',
      level: 1,
      start: at(saturday0, '10:00'),
      rotation_start: at(saturday0, '10:00'),
      duration: 6 * 3600,
      frequency: 'weekly',
      interval: 1,
      by_day: ['SA', 'SU'],
      users: ['U1ALICE', 'U5ERIN'],
    },
    // Infra (calendar, UTC): 12-hour hand-offs until a date, and weekends at level 1.
    {
      ...base,
      id: 'OSHOURLY',
      name: 'Twelve hours',
      type: 'rolling_users',
      schedule: null,
      time_zone: 'UTC',
      level: 0,
      start: at(monday0, '06:00'),
      rotation_start: at(monday0, '06:00'),
      duration: 12 * 3600,
      frequency: 'hourly',
      interval: 12,
      until: at(today + 30 * DAY, '00:00'),
      rolling_users: [['U3CAROL'], ['U4DAVE']],
      start_rotation_from_user_index: 0,
    },
    {
      ...base,
      id: 'OSSATSUN',
      name: 'Weekends',
      type: 'rolling_users',
      schedule: null,
      time_zone: 'UTC',
      level: 1,
      start: at(saturday0, '00:00'),
      rotation_start: at(saturday0, '00:00'),
      duration: 2 * 86400,
      frequency: 'weekly',
      interval: 1,
      rolling_users: [['U1ALICE'], ['U2BOB']],
      start_rotation_from_user_index: 0,
    },
    // Weekday days (Europe/Berlin): a daily rotation masked to weekdays, two masked days per group (its start, a Sunday, moves to Monday); and 4 hours every other evening at level 1.
    {
      ...base,
      id: 'OSMASKED',
      name: 'Weekday days',
      type: 'rolling_users',
      schedule: 'SWEEKDAY',
      time_zone: null,
      level: 0,
      start: at(monday0 - DAY, '09:00'),
      rotation_start: at(monday0 - DAY, '09:00'),
      duration: 8 * 3600,
      frequency: 'daily',
      interval: 2,
      by_day: ['MO', 'TU', 'WE', 'TH', 'FR'],
      rolling_users: [['U3CAROL'], ['U4DAVE'], ['U5ERIN']],
      start_rotation_from_user_index: 0,
    },
    // Unmappable (UTC).
    {
      ...base,
      id: 'OSMONTHLY',
      name: 'Monthly',
      type: 'rolling_users',
      schedule: 'SODD',
      time_zone: null,
      level: 0,
      start: at(firstOfLastMonth, '00:00'),
      rotation_start: at(firstOfLastMonth, '00:00'),
      duration: 86400,
      frequency: 'monthly',
      interval: 1,
      rolling_users: [['U1ALICE'], ['U2BOB']],
      start_rotation_from_user_index: 0,
    },

    {
      ...base,
      id: 'OSEVERY2',
      name: 'Every other evening',
      type: 'rolling_users',
      schedule: 'SWEEKDAY',
      time_zone: null,
      level: 1,
      start: at(monday0, '20:00'),
      rotation_start: at(monday0, '20:00'),
      duration: 4 * 3600,
      frequency: 'daily',
      interval: 2,
      rolling_users: [['U5ERIN'], ['U1ALICE']],
      start_rotation_from_user_index: 0,
    },
  ];
  if (o.union) {
    schedules.push({ id: 'SPAIRS', name: 'Pairs', type: 'web', team_id: null, time_zone: 'UTC', on_call_now: [], shifts: ['OSPAIRA', 'OSPAIRB'], slack: null });
    on_call_shifts.push(
      {
        ...base,
        id: 'OSPAIRA',
        name: 'Pair A',
        type: 'rolling_users',
        schedule: 'SPAIRS',
        time_zone: null,
        level: 0,
        start: at(monday0, '00:00'),
        rotation_start: at(monday0, '00:00'),
        duration: 86400,
        frequency: 'daily',
        interval: 1,
        rolling_users: [['U1ALICE'], ['U2BOB']],
        start_rotation_from_user_index: 0,
      },
      {
        ...base,
        id: 'OSPAIRB',
        name: 'Pair B',
        type: 'rolling_users',
        schedule: 'SPAIRS',
        time_zone: null,
        level: 0,
        start: at(monday0, '00:00'),
        rotation_start: at(monday0, '00:00'),
        duration: 7 * 86400,
        frequency: 'weekly',
        interval: 1,
        rolling_users: [['U3CAROL'], ['U4DAVE']],
        start_rotation_from_user_index: 0,
      },
    );
  }

  const step = (id: string, chain: string, position: number, type: string, extra: Record<string, unknown> = {}) => ({ id, escalation_chain_id: chain, position, type, important: false, ...extra });
  const escalation_chains = [
    { id: 'FPRIMARY', name: 'Primary chain', team_id: 'TSRE' },
    { id: 'FSECOND', name: 'Secondary chain', team_id: null },
    { id: 'FEMPTY', name: 'Channel only', team_id: null },
  ];
  const escalation_policies = [
    step('EP0', 'FPRIMARY', 0, 'notify_on_call_from_schedule', { notify_on_call_from_schedule: 'SPRIMARY' }),
    step('EP1', 'FPRIMARY', 1, 'notify_persons', { persons_to_notify: ['U1ALICE'] }),
    step('EP2', 'FPRIMARY', 2, 'wait', { duration: 300 }),
    step('EP3', 'FPRIMARY', 3, 'notify_team_members', { team_to_notify: 'TDB' }),
    step('EP4', 'FPRIMARY', 4, 'wait', { duration: 900 }),
    step('EP5', 'FPRIMARY', 5, 'wait', { duration: 300 }),
    step('EP6', 'FPRIMARY', 6, 'notify_person_next_each_time', { persons_to_notify_next_each_time: ['U2BOB', 'U3CAROL'] }),
    step('EP7', 'FPRIMARY', 7, 'notify_user_group', { group_to_notify: 'UGOPS' }),
    step('EP8', 'FPRIMARY', 8, 'wait', { duration: 60 }),
    step('EP9', 'FPRIMARY', 9, 'repeat_escalation'),
    step('ES0', 'FSECOND', 0, 'wait', { duration: 240 }),
    step('ES1', 'FSECOND', 1, 'notify_persons', { persons_to_notify: ['U4DAVE'], important: true }),
    step('ES2', 'FSECOND', 2, 'trigger_webhook', { action_to_trigger: 'WHOOK1' }),
    step('ES3', 'FSECOND', 3, 'notify_if_time_from_to', { notify_if_time_from: '09:00:00Z', notify_if_time_to: '18:00:00Z' }),
    step('ES4', 'FSECOND', 4, 'notify_on_call_from_schedule', { notify_on_call_from_schedule: 'SSUN' }),
    step('ES5', 'FSECOND', 5, 'resolve'),
    step('ES6', 'FSECOND', 6, 'notify_on_call_from_schedule', { notify_on_call_from_schedule: 'SICAL' }),
    step('EE0', 'FEMPTY', 0, 'notify_whole_channel'),
  ];
  const integrations = [
    {
      id: 'CPROM',
      name: 'Prometheus',
      description_short: null,
      team_id: 'TSRE',
      link: 'https://oncall.example.com/integrations/v1/alertmanager/AbCdEf123/',
      inbound_email: null,
      type: 'alertmanager',
      default_route: { id: 'RPROMDEF', escalation_chain_id: 'FPRIMARY' },
      templates: {},
      heartbeat: { link: 'https://oncall.example.com/integrations/v1/alertmanager/AbCdEf123/heartbeat/' },
      maintenance_mode: null,
      maintenance_started_at: null,
      maintenance_end_at: null,
    },
    {
      id: 'CGRAF',
      name: 'Grafana Alerting',
      description_short: null,
      team_id: null,
      link: 'https://oncall.example.com/integrations/v1/grafana_alerting/GhIjKl456/',
      inbound_email: null,
      type: 'grafana_alerting',
      default_route: { id: 'RGRAFDEF', escalation_chain_id: 'FSECOND' },
      templates: {},
      heartbeat: null,
      maintenance_mode: 'maintenance',
      maintenance_started_at: new Date(now - 600_000).toISOString(),
      maintenance_end_at: new Date(now + 2 * 3_600_000).toISOString(),
    },
    {
      id: 'CHOOK',
      name: 'Deploy hook',
      description_short: null,
      team_id: null,
      link: 'https://oncall.example.com/integrations/v1/webhook/MnOpQr789/',
      inbound_email: null,
      type: 'webhook',
      default_route: { id: 'RHOOKDEF', escalation_chain_id: null },
      templates: {},
      heartbeat: null,
      maintenance_mode: null,
      maintenance_started_at: null,
      maintenance_end_at: null,
    },
  ];
  const routes = [
    { id: 'RPROMDEF', integration_id: 'CPROM', escalation_chain_id: 'FPRIMARY', routing_regex: '.*', routing_type: 'regex', position: 1, is_the_last_route: true },
    { id: 'RPROMCRIT', integration_id: 'CPROM', escalation_chain_id: 'FSECOND', routing_regex: 'severity=critical', routing_type: 'regex', position: 0, is_the_last_route: false },
    { id: 'RGRAFDEF', integration_id: 'CGRAF', escalation_chain_id: 'FSECOND', routing_regex: '.*', routing_type: 'regex', position: 0, is_the_last_route: true },
    { id: 'RHOOKDEF', integration_id: 'CHOOK', escalation_chain_id: null, routing_regex: '.*', routing_type: 'regex', position: 0, is_the_last_route: true },
  ];
  return { users, personal_notification_rules, teams, user_groups, schedules, on_call_shifts, escalation_chains, escalation_policies, integrations, routes };
}

/** Source objects that now map exactly, so the report must not name them: the override (a schedule override), the leading wait (initialDelayMinutes), the last level without a wait (delay 0). */
export const exactItems: string[] = ['OSOVERRIDE', 'ES0', 'FSECOND'];

/** The report items (severity, source id) the fixture must produce: everything without an exact Klaxon equivalent. */
export const expectedItems: [string, string][] = [
  ['changed', 'U6FRANK'], // role none; no notification rules
  ['changed', 'U5ERIN'], // no notification rules
  ['not-imported', 'U1ALICE'], // important rules; sms (no phone number exposed)
  ['not-imported', 'U2BOB'], // mobile app
  ['not-imported', 'U3CAROL'], // telegram
  ['note', 'OSDAILY'], // rotation_start inside an occurrence
  ['note', 'SPRIMARY'], // a past single event
  ['not-imported', 'SICAL'],
  ['not-imported', 'OSMONTHLY'],
  ['changed', 'EP6'], // round robin
  ['not-imported', 'EP7'], // user group
  ['note', 'EP9'], // repeat
  ['changed', 'ES1'], // important
  ['not-imported', 'ES2'], // webhook
  ['not-imported', 'ES3'], // time condition
  ['not-imported', 'ES5'], // resolve
  ['not-imported', 'ES6'], // iCal schedule
  ['not-imported', 'EE0'], // whole channel
  ['not-imported', 'FEMPTY'],
  ['not-imported', 'RPROMCRIT'],
  ['changed', 'CPROM'], // heartbeat: imported, timeout unknown to the API
  ['changed', 'CGRAF'], // maintenance mode: a Klaxon window that records incidents
  ['changed', 'CHOOK'], // webhook payloads
  ['note', 'CHOOK'], // no chain
];
