/**
 * The klaxon.yaml format (version 1) as TypeBox schemas: the one source for validating a file
 * (load.ts) and for the JSON Schema published at docs/klaxon.schema.json for editor completion.
 *
 * A field left out of the file is not managed by it: a new entity gets the default, an existing one
 * keeps what it has. See docs/configuration-file.md.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ANNOUNCE_PLATFORMS, LevelConditionSchema, Literals } from '@klaxon/contract';
import { RuleActions } from '@klaxon/contract';
import { RestrictionInput } from '../schedule/types.js';
import { INTEGRATION_KINDS, SupportHoursSchema, UrgencyRuleSchema } from '../service/types.js';

/** The only format version this Klaxon reads and writes. */
export const CONFIG_VERSION = 1;

/** Where the published JSON Schema lives, relative to the repository root. */
export const SCHEMA_DOC_PATH = 'docs/klaxon.schema.json';

const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );

const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+$';
const Email = Type.String({ minLength: 3, maxLength: 254, pattern: EMAIL_PATTERN, description: 'Email address; identifies the user (case-insensitive)' });

/** A way to reach a user. Identified by its name within the user. */
export const ContactMethodSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'Name of this contact method, unique per user; notification rules refer to it' }),
    type: literals(
      ['email', 'sms', 'voice', 'slack', 'webhook', 'mattermost', 'discord', 'matrix', 'ntfy', 'pushover', 'telegram', 'whatsapp'] as const,
      'Channel: email, sms, voice, slack, webhook, mattermost, discord, matrix, ntfy, pushover, telegram or whatsapp',
    ),
    address: Type.String({
      minLength: 1,
      maxLength: 4000,
      description:
        'Email address, E.164 phone number (+14155550100; also for whatsapp), Slack user/channel id (U024BE7LH), http(s) webhook URL, Mattermost or Discord user id, Matrix user id (@ada:example.org); #<channel or room id> for a channel; ntfy topic URL (https://ntfy.sh/topic) or JSON {"server", "topic", "token"}, Pushover user key, or Telegram chat id. A changed address re-creates the method, which must be verified again.',
    }),
  },
  { additionalProperties: false, description: 'A way to reach the user. New ones are sent a verification code and are not paged until verified.' },
);

/** Notify through a contact method some minutes after the user is paged. */
export const NotificationRuleSpec = Type.Object(
  {
    contactMethod: Type.String({ minLength: 1, maxLength: 100, description: "Name of one of this user's contact methods" }),
    delayMinutes: Type.Integer({ minimum: 0, maximum: 1440, description: 'Minutes after the page to notify (0 = at once)' }),
    urgency: Type.Optional(literals(['high', 'low', 'any'] as const, 'Which incidents the rule is used for: high urgency, low urgency, or any (default)')),
  },
  { additionalProperties: false, description: 'Notify through a contact method delayMinutes after the user is paged' },
);

/** A person who can be paged, or who watches. Identified by email. */
export const UserSpec = Type.Object(
  {
    email: Email,
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Display name' }),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin. New users default to UTC; left out, an existing user keeps theirs.' })),
    role: Type.Optional(
      literals(['admin', 'responder', 'stakeholder', 'viewer'] as const, 'admin, responder, stakeholder or viewer. New users default to responder; left out, an existing user keeps theirs.'),
    ),
    contactMethods: Type.Optional(
      Type.Array(ContactMethodSpec, { maxItems: 50, description: "The user's contact methods, replaced to match exactly (browser push subscriptions are kept). Left out: not managed by this file." }),
    ),
    notificationRules: Type.Optional(
      Type.Array(NotificationRuleSpec, { maxItems: 100, description: 'When to notify through which contact method, replaced to match exactly. Left out: not managed by this file.' }),
    ),
  },
  { additionalProperties: false, description: 'A user, identified by email' },
);

/** A team member, by email. */
export const TeamMemberSpec = Type.Object(
  {
    user: Type.String({ minLength: 3, maxLength: 254, pattern: EMAIL_PATTERN, description: 'Email of a user in this file or already in Klaxon' }),
    role: Type.Optional(literals(['member', 'manager'] as const, 'member (default) or manager')),
    access: Type.Optional(
      literals(['admin', 'responder', 'none'] as const, "The member's team role (docs/permissions.md): admin, responder, or none to remove it. Left out: the member's current team role is kept"),
    ),
  },
  { additionalProperties: false },
);

/** A team. Identified by name. */
/** A chat channel where incidents are announced (docs/integrations.md, "Announcing incidents in channels"). */
export const ChatChannelSpec = Type.Object(
  {
    platform: Literals(ANNOUNCE_PLATFORMS, { description: 'slack, mattermost, discord or matrix (teams and googlechat have no channel ids: refused)' }),
    channel: Type.String({ minLength: 1, maxLength: 200, description: "The platform's channel (room) id: Slack C.../G..., a Mattermost channel id, a Discord channel id, a Matrix room id" }),
  },
  { additionalProperties: false },
);

const ChatChannelsSpec = (whose: string) =>
  Type.Optional(Type.Array(ChatChannelSpec, { maxItems: 20, description: `Chat channels where ${whose} incidents are announced, replaced to match exactly. Left out: not managed by this file.` }));

export const TeamSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'Team name; identifies the team' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    members: Type.Optional(Type.Array(TeamMemberSpec, { maxItems: 500, description: 'Members in paging order, replaced to match exactly. Left out: not managed by this file.' })),
    chatChannels: ChatChannelsSpec("the team's services' (those that name none of their own)"),
  },
  { additionalProperties: false, description: 'A team, identified by name' },
);

const Participant = Type.String({ minLength: 3, maxLength: 254, pattern: EMAIL_PATTERN, description: 'Email of a user in this file or already in Klaxon' });
const LocalDateTime = Type.String({
  minLength: 4,
  maxLength: 40,
  description: 'Local date-time in the layer zone, e.g. 2026-03-02T09:00 (an ISO date-time with an offset is accepted too)',
});

/** One rotation layer of a schedule. */
export const ScheduleLayerSpec = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 100, description: 'Layer name, shown in shift sources and change lines' })),
    participants: Type.Array(
      Type.Union([
        Participant,
        Type.Array(Participant, { maxItems: 20, description: 'A group: these users are on call together; [] is a turn nobody covers (a gap by design, e.g. Opsgenie\'s "none")' }),
      ]),
      {
        minItems: 1,
        maxItems: 100,
        description: 'Rotation order by email; a nested list is a group on call together ([] for a turn nobody covers)',
      },
    ),
    turn: Type.Object(
      {
        unit: literals(['second', 'minute', 'hour', 'day', 'week'] as const, 'second, minute, hour, day or week'),
        count: Type.Integer({ minimum: 1, maximum: 31_622_400, description: 'How many units one turn lasts (at most 366 days)' }),
        weekdays: Type.Optional(
          Type.Array(literals(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, 'mon ... sun'), {
            minItems: 1,
            maxItems: 7,
            description: 'Day turns only: only these weekdays count, and hand-offs happen only on them (a rotation on weekdays). Left out: every day counts.',
          }),
        ),
        onCallMinutes: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: 100_800_000,
            description: 'Only the first N minutes of each turn are on call (wall-clock minutes for day and week turns); the rest of each turn has nobody from this layer. Left out: the whole turn.',
          }),
        ),
      },
      { additionalProperties: false, description: 'The length of one turn' },
    ),
    handoffTime: Type.Optional(Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM local hand-off time for day and week turns; defaults to the local time of start' })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone of hand-offs, restrictions, start and end; defaults to the schedule zone' })),
    start: LocalDateTime,
    rotationStart: Type.Optional(
      Type.String({
        minLength: 4,
        maxLength: 40,
        description:
          "When the rotation is counted from (participant 0's first turn), at or before start, in the same form as start; the layer still covers nothing before start (PagerDuty rotation_virtual_start). Defaults to start.",
      }),
    ),
    end: Type.Optional(LocalDateTime),
    restrictions: Type.Optional(Type.Array(RestrictionInput, { maxItems: 50, description: 'Weekly windows the layer is limited to (see docs/schedules.md); none means always' })),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, description: 'Precedence; higher wins, ties go to the later layer (default 0)' })),
  },
  { additionalProperties: false, description: 'A rotation layer' },
);

/** An override to make sure exists: these people on call for [start, end). */
export const ScheduleOverrideSpec = Type.Object(
  {
    users: Type.Array(Participant, { minItems: 1, maxItems: 20, description: 'Emails of the people on call during the span (they replace everyone the layers put on call)' }),
    start: LocalDateTime,
    end: LocalDateTime,
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false, description: 'An override: added unless one with the same people, start and end exists' },
);

/** An on-call schedule. Identified by name. Leave and swaps are not part of the file; overrides only to be added. */
export const ScheduleSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Schedule name; identifies the schedule' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    team: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], { description: 'Name of the owning team (told about gaps); null for none. Left out: kept.' })),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the schedule, e.g. Europe/London' }),
    layering: Type.Optional(
      literals(
        ['precedence', 'union'] as const,
        'How layers combine: precedence (the highest-precedence layer with someone on call wins) or union (everyone on call in the highest-priority group of layers with anyone on call is on call together, as Opsgenie rotations add up). New schedules: precedence; left out: kept.',
      ),
    ),
    handoffNoticeMinutes: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10_080, description: 'Tell people this many minutes before their shift starts (0: only at the change). New schedules: 60; left out: kept.' }),
    ),
    gapNoticeDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 90, description: 'Tell the owner team about gaps this many days ahead (0: never). New schedules: 14; left out: kept.' })),
    layers: Type.Array(ScheduleLayerSpec, { maxItems: 20, description: 'Rotation layers, replaced to match exactly (overrides, leave and swaps are kept)' }),
    overrides: Type.Optional(
      Type.Array(ScheduleOverrideSpec, {
        maxItems: 500,
        description: 'Overrides to add (e.g. from an import): each is added unless one with the same people, start and end exists. Apply never removes an override and export does not write them.',
      }),
    ),
  },
  { additionalProperties: false, description: 'An on-call schedule, identified by name' },
);

/** Who an escalation level pages: a user, every member of a team, or whoever a schedule has on call now or next. */
export const TargetSpec = Type.Union(
  [
    Type.Object(
      { user: Type.String({ minLength: 3, maxLength: 254, pattern: EMAIL_PATTERN, description: 'Email of a user in this file or already in Klaxon' }) },
      { additionalProperties: false, title: '{user: <email>}' },
    ),
    Type.Object({ team: Type.String({ minLength: 1, maxLength: 100, description: 'Name of a team: every member is paged' }) }, { additionalProperties: false, title: '{team: <name>}' }),
    Type.Object(
      { schedule: Type.String({ minLength: 1, maxLength: 200, description: 'Name of an on-call schedule: whoever it has on call is paged' }) },
      { additionalProperties: false, title: '{schedule: <name>}' },
    ),
    Type.Object(
      { scheduleNext: Type.String({ minLength: 1, maxLength: 200, description: 'Name of an on-call schedule: whoever it has on call next (the backup) is paged' }) },
      { additionalProperties: false, title: '{scheduleNext: <name>}' },
    ),
    Type.Object(
      { schedulePrevious: Type.String({ minLength: 1, maxLength: 200, description: 'Name of an on-call schedule: whoever it had on call before the people on call now is paged' }) },
      { additionalProperties: false, title: '{schedulePrevious: <name>}' },
    ),
    Type.Object(
      { teamManagers: Type.String({ minLength: 1, maxLength: 100, description: 'Name of a team: its managers are paged' }) },
      { additionalProperties: false, title: '{teamManagers: <name>}' },
    ),
    Type.Object(
      { teamRandom: Type.String({ minLength: 1, maxLength: 100, description: 'Name of a team: one member, chosen at random each time the level fires, is paged' }) },
      { additionalProperties: false, title: '{teamRandom: <name>}' },
    ),
  ],
  { description: 'Exactly one of user, team, teamManagers, teamRandom, schedule, scheduleNext or schedulePrevious' },
);

/** One escalation level. */
export const LevelSpec = Type.Object(
  {
    delayMinutes: Type.Integer({ minimum: 0, maximum: 1440, description: 'Minutes to wait before the next level (0: the next level fires at once)' }),
    targets: Type.Array(TargetSpec, { minItems: 1, maxItems: 50, description: 'Who this level pages' }),
    until: Type.Optional(
      literals(
        ['acknowledged', 'resolved'] as const,
        'acknowledged (default): the level fires only while nobody has acknowledged; resolved: it fires even when acknowledged, until the incident is resolved',
      ),
    ),
    condition: Type.Optional(LevelConditionSchema),
    roundRobin: Type.Optional(Type.Boolean({ description: 'true: each new incident at this level pages only the next target in the list, in turn' })),
  },
  { additionalProperties: false },
);

/** An escalation policy. Identified by name. */
export const PolicySpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Policy name; identifies the policy' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    repeat: Type.Optional(Type.Integer({ minimum: 0, maximum: 9, description: 'How many more times to run all levels when nobody acknowledges (new policies: 0)' })),
    initialDelayMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440, description: 'Minutes after the incident opens before level 1 fires. New policies: 0; left out: kept.' })),
    levels: Type.Array(LevelSpec, { minItems: 1, maxItems: 20, description: 'Levels in order, replaced to match exactly' }),
    team: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], { description: 'Name of the owning team (whose admins manage the policy); null for none. Left out: kept.' }),
    ),
  },
  { additionalProperties: false, description: 'An escalation policy, identified by name' },
);

/** How new alerts join open incidents. */
export const GroupingSpec = Type.Union(
  [
    Type.Object({ mode: Type.Literal('none', { description: 'Every alert opens its own incident' }) }, { additionalProperties: false, title: '{mode: none}' }),
    Type.Object(
      { mode: Type.Literal('window', { description: 'Alerts within a time window join the open incident' }), minutes: Type.Integer({ minimum: 1, maximum: 1440 }) },
      { additionalProperties: false, title: '{mode: window, minutes: <n>}' },
    ),
    Type.Object(
      { mode: Type.Literal('field', { description: 'Alerts with the same value of a field join the same open incident' }), field: Type.String({ minLength: 1, maxLength: 100 }) },
      { additionalProperties: false, title: '{mode: field, field: <name>}' },
    ),
  ],
  { description: 'How new alerts join open incidents (new services: {mode: none})' },
);

/** An event rule (docs/event-rules.md); its place in the list is its order. */
export const RuleSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Rule name, shown in the trace and the API' }),
    condition: Type.String({ minLength: 1, maxLength: 4000, description: 'A CEL expression giving a boolean' }),
    actions: Type.Optional(
      Type.Unsafe<Static<typeof RuleActions>>({
        ...RuleActions,
        description: 'What a matching rule does: route, severity, urgency, priority, title, dedupKey, labels, links, suppress, drop, pauseMinutes, groupBy',
      }),
    ),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
  },
  { additionalProperties: false, description: 'An event rule; rules run in list order' },
);
const RulesSpec = (what: string) => Type.Optional(Type.Array(RuleSpec, { maxItems: 1000, description: `${what}, replaced to match exactly, in order. Left out: not managed by this file.` }));

/** A way for a monitoring tool to send alerts to a service. Identified by its name within the service. */
export const IntegrationSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'Integration name, unique per service' }),
    kind: literals(INTEGRATION_KINDS, 'The payload format: pagerduty, alertmanager, grafana, opsgenie or generic'),
    key: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 200,
        pattern: '^[A-Za-z0-9_\\-.]+$',
        description: 'Integration key, at least 16 URL-safe characters. Stored hashed. Left out: an existing integration keeps its key; a new one gets a generated key, printed once.',
      }),
    ),
    signingSecret: Type.Optional(Type.Union([Type.String({ minLength: 8, maxLength: 200 }), Type.Null()], { description: 'Grafana webhook HMAC secret; null removes it. Left out: kept.' })),
    rateLimitPerMinute: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()], { description: 'Events per minute before 429; null restores the server default. Left out: kept.' }),
    ),
    rules: RulesSpec("The integration's event rules"),
  },
  { additionalProperties: false, description: 'An integration, identified by name within its service' },
);

/** A heartbeat: the service expects a check-in at least every interval. Identified by its name within the service. */
export const HeartbeatSpec = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z0-9][A-Za-z0-9 ._@+-]*$',
      description: 'Heartbeat name, unique per service (the Opsgenie ping API finds it by name: /v2/heartbeats/{name}/ping)',
    }),
    intervalMinutes: Type.Integer({ minimum: 1, maximum: 525_600, description: 'A check-in is expected at least this often (minutes)' }),
    graceMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 525_600, description: 'Extra minutes before a missing check-in opens an incident (default 0)' })),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true; a disabled heartbeat opens nothing' })),
    watchdogAlert: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], {
        description: "An Alertmanager alertname (e.g. Watchdog) whose arrival on this service's alertmanager integrations counts as a check-in; null for none",
      }),
    ),
  },
  { additionalProperties: false, description: 'A heartbeat, identified by name within its service; its check-in URL is printed once when created' },
);

/** A hotline number: calls to it open an incident on the service and ring its on-call people. Identified by its name within the service. */
export const HotlineSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._@+-]*$', description: 'Hotline name, unique per service' }),
    provider: Type.Optional(Type.Union([Type.Literal('twilio'), Type.Literal('vonage')], { description: 'Where the number lives: twilio (default) or vonage' })),
    number: Type.String({ minLength: 1, maxLength: 40, description: 'The phone number, E.164 (+ and country code); spaces, dots, dashes and brackets are ignored' }),
    ringSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 120, description: 'Seconds each on-call person is rung before the next is tried (default 20)' })),
    allowedCallers: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 500, description: 'Only these numbers (E.164) may open an incident; empty or left out: anyone' }),
    ),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true; a disabled hotline refuses every call' })),
  },
  {
    additionalProperties: false,
    description: "A hotline number, identified by name within its service; paste the Voice webhook URL printed by apply (and shown on the service's page) into the number's settings at Twilio",
  },
);

/** A technical service: where alerts arrive and which policy pages for them. Identified by name. */
export const ServiceSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Service name; identifies the service' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    team: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], { description: 'Name of the owning team; null for none' })),
    escalationPolicy: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], { description: 'Name of the escalation policy that pages for this service; null for none' }),
    ),
    grouping: Type.Optional(GroupingSpec),
    urgencyRule: Type.Optional(
      Type.Union(UrgencyRuleSchema.anyOf, {
        description:
          "How a new incident's urgency is set: {type: severity} (critical and error alerts are high, the rest low; new services), {type: constant, urgency: high|low}, or {type: support-hours, during: high|low, outside: high|low}. Left out: kept.",
      }),
    ),
    supportHours: Type.Optional(
      Type.Union([SupportHoursSchema, Type.Null()], { description: 'Support hours {timeZone, days: [mon, ...], start: "HH:MM", end: "HH:MM"}; null for none. Left out: kept.' }),
    ),
    integrations: Type.Optional(Type.Array(IntegrationSpec, { maxItems: 100, description: 'Integrations, replaced to match exactly. Left out: not managed by this file.' })),
    heartbeats: Type.Optional(Type.Array(HeartbeatSpec, { maxItems: 100, description: 'Heartbeats, replaced to match exactly. Left out: not managed by this file.' })),
    hotlines: Type.Optional(Type.Array(HotlineSpec, { maxItems: 100, description: 'Hotline numbers, replaced to match exactly. Left out: not managed by this file.' })),
    chatChannels: ChatChannelsSpec("the service's (replacing its team's)"),
  },
  { additionalProperties: false, description: 'A service, identified by name' },
);

/** A whole klaxon.yaml file. */
export const ConfigSchema = Type.Object(
  {
    version: Type.Literal(CONFIG_VERSION, { description: 'Format version; must be 1' }),
    users: Type.Optional(Type.Array(UserSpec, { description: 'Users, identified by email' })),
    teams: Type.Optional(Type.Array(TeamSpec, { description: 'Teams, identified by name' })),
    schedules: Type.Optional(Type.Array(ScheduleSpec, { description: 'On-call schedules and their rotation layers, identified by name' })),
    escalationPolicies: Type.Optional(Type.Array(PolicySpec, { description: 'Escalation policies, identified by name' })),
    services: Type.Optional(Type.Array(ServiceSpec, { description: 'Services and their integrations, identified by name' })),
    eventRules: RulesSpec("Global event rules (run before every integration's own)"),
  },
  { additionalProperties: false },
);

/** A parsed, validated klaxon.yaml document. */
export type ConfigDocument = Static<typeof ConfigSchema>;
/** A user entry of the file. */
export type UserSpec = Static<typeof UserSpec>;
/** A team entry of the file. */
export type TeamSpec = Static<typeof TeamSpec>;
/** A schedule entry of the file. */
export type ScheduleSpec = Static<typeof ScheduleSpec>;
export type ScheduleOverrideSpec = Static<typeof ScheduleOverrideSpec>;
/** A rotation layer of a schedule entry. */
export type ScheduleLayerSpec = Static<typeof ScheduleLayerSpec>;
/** An escalation policy entry of the file. */
export type PolicySpec = Static<typeof PolicySpec>;
/** An escalation target: {user}, {team}, {teamManagers}, {teamRandom}, {schedule}, {scheduleNext} or {schedulePrevious}. */
export type TargetSpec = Static<typeof TargetSpec>;
/** A service entry of the file. */
export type ServiceSpec = Static<typeof ServiceSpec>;
/** A service's grouping as written in the file. */
export type GroupingSpec = Static<typeof GroupingSpec>;
/** An event rule entry. */
export type RuleSpec = Static<typeof RuleSpec>;
/** An integration entry of a service. */
export type IntegrationSpec = Static<typeof IntegrationSpec>;
/** A heartbeat entry of a service. */
export type HeartbeatSpec = Static<typeof HeartbeatSpec>;
/** A hotline entry of a service. */
export type HotlineSpec = Static<typeof HotlineSpec>;

/** The JSON Schema (draft-07) of the file format, as written to docs/klaxon.schema.json. */
export function configJsonSchema(): Record<string, unknown> {
  // JSON round trip drops TypeBox's symbol-keyed metadata, leaving plain JSON Schema.
  const body = JSON.parse(JSON.stringify(ConfigSchema as TSchema)) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Klaxon configuration file (klaxon.yaml)',
    description: 'Users, teams, schedules, escalation policies, services and integrations, applied with `klaxon apply -f klaxon.yaml`. See docs/configuration-file.md.',
    ...body,
  };
}
