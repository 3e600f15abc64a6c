import { Type, type Static } from '@sinclair/typebox';

/** How new alerts join open incidents: never, within a time window, or by the value of a field. */
export const GroupingSchema = Type.Union([
  Type.Object({ mode: Type.Literal('none') }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('window'), minutes: Type.Integer({ minimum: 1, maximum: 1440 }) }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('field'), field: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
]);
export type Grouping = Static<typeof GroupingSchema>;

const HHMM = '^([01]\\d|2[0-3]):[0-5]\\d$';
const DAY = Type.Union((['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => Type.Literal(d)));

/** The hours a service is supported: on `days`, from `start` to `end` local time in `timeZone` (end after start, same day). */
export const SupportHoursSchema = Type.Object(
  {
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. America/Lima' }),
    days: Type.Array(DAY, { minItems: 1, maxItems: 7, uniqueItems: true, description: 'Days of the week the hours apply to' }),
    start: Type.String({ pattern: HHMM, description: 'HH:MM local start' }),
    end: Type.String({ pattern: '^(([01]\\d|2[0-3]):[0-5]\\d|24:00)$', description: 'HH:MM local end, after start (24:00 for midnight)' }),
  },
  { additionalProperties: false },
);
export type SupportHours = Static<typeof SupportHoursSchema>;

const UrgencyLiteral = Type.Union([Type.Literal('high'), Type.Literal('low')]);

/**
 * How a new incident's urgency is set: by the alert's severity (critical and error are high; the
 * default and today's behaviour), always high or always low, or by the service's support hours.
 */
export const UrgencyRuleSchema = Type.Union([
  Type.Object({ type: Type.Literal('severity') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('constant'), urgency: UrgencyLiteral }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('support-hours'), during: UrgencyLiteral, outside: UrgencyLiteral }, { additionalProperties: false }),
]);
export type UrgencyRule = Static<typeof UrgencyRuleSchema>;

/** Input to create or replace a service. */
export const ServiceInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    escalationPolicyId: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    teamId: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    grouping: Type.Optional(GroupingSchema),
    urgencyRule: Type.Optional(UrgencyRuleSchema),
    supportHours: Type.Optional(Type.Union([SupportHoursSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
export type ServiceInput = Static<typeof ServiceInput>;

/** A technical service. */
export interface Service {
  id: string;
  name: string;
  description: string;
  escalationPolicyId: string | null;
  teamId: string | null;
  grouping: Grouping;
  /** How a new incident's urgency is set ({type: 'severity'} unless changed). */
  urgencyRule: UrgencyRule;
  /** The service's support hours, or null. */
  supportHours: SupportHours | null;
}

export const INTEGRATION_KINDS = ['pagerduty', 'alertmanager', 'grafana', 'opsgenie', 'generic'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/** Input to create an integration. A key may be given (config as code); otherwise one is generated. */
export const IntegrationInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: Type.Union(INTEGRATION_KINDS.map((k) => Type.Literal(k))),
    key: Type.Optional(Type.String({ minLength: 16, maxLength: 200, pattern: '^[A-Za-z0-9_\\-.]+$', description: 'Integration key; at least 16 URL-safe characters. Generated when absent.' })),
    signingSecret: Type.Optional(Type.String({ minLength: 8, maxLength: 200, description: 'Grafana webhook HMAC secret' })),
    rateLimitPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export type IntegrationInput = Static<typeof IntegrationInput>;

/** Per-integration settings. */
export interface IntegrationSettings {
  /** Grafana HMAC secret: shown to admins only. */
  signingSecret?: string;
  /** In place of signingSecret for non-admins: a secret is set. */
  signingSecretSet?: boolean;
  rateLimitPerMinute?: number;
}

/** An integration; `key` is only present right after it was created (it is stored hashed). */
export interface Integration {
  id: string;
  serviceId: string;
  name: string;
  kind: IntegrationKind;
  keyHint: string;
  settings: IntegrationSettings;
  key?: string;
  /** Where to send events and how to authenticate, given the key. */
  endpoint?: string;
}
