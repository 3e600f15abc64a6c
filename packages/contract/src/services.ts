import { Type, type Static } from '@sinclair/typebox';
import { Literals, Nullable } from './common.js';
import { INTEGRATION_KINDS, WEEKDAYS } from './values.js';

/** How new alerts join open incidents: never, within a time window, or by the value of a field. */
export const GroupingSchema = Type.Union([
  Type.Object({ mode: Type.Literal('none') }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('window'), minutes: Type.Integer({ minimum: 1, maximum: 1440 }) }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('field'), field: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
]);
export type Grouping = Static<typeof GroupingSchema>;

const HHMM = '^([01]\\d|2[0-3]):[0-5]\\d$';
const DAY = Literals(WEEKDAYS);

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
 * default), always high or always low, or by the service's support hours.
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
export const Service = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  escalationPolicyId: Nullable(Type.String()),
  teamId: Nullable(Type.String()),
  grouping: GroupingSchema,
  urgencyRule: UrgencyRuleSchema,
  supportHours: Nullable(SupportHoursSchema),
});
export type Service = Static<typeof Service>;

export const IntegrationKindSchema = Literals(INTEGRATION_KINDS);

/** Input to create an integration. A key may be given (config as code); otherwise one is generated. */
export const IntegrationInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: IntegrationKindSchema,
    key: Type.Optional(Type.String({ minLength: 16, maxLength: 200, pattern: '^[A-Za-z0-9_\\-.]+$', description: 'Integration key; at least 16 URL-safe characters. Generated when absent.' })),
    signingSecret: Type.Optional(Type.String({ minLength: 8, maxLength: 200, description: 'Grafana webhook HMAC secret' })),
    rateLimitPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export type IntegrationInput = Static<typeof IntegrationInput>;

/** A partial update of an integration: a new key, a signing secret (null removes it), a rate limit (null: the default). */
export const IntegrationPatch = Type.Object(
  {
    key: Type.Optional(Type.String({ minLength: 16, maxLength: 200, pattern: '^[A-Za-z0-9_\\-.]+$' })),
    signingSecret: Type.Optional(Type.Union([Type.String({ minLength: 8, maxLength: 200 }), Type.Null()])),
    rateLimitPerMinute: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type IntegrationPatch = Static<typeof IntegrationPatch>;

/** Per-integration settings. */
export const IntegrationSettings = Type.Object({
  signingSecret: Type.Optional(Type.String({ description: 'Grafana HMAC secret: shown to admins only' })),
  signingSecretSet: Type.Optional(Type.Boolean({ description: 'In place of signingSecret for non-admins: a secret is set' })),
  rateLimitPerMinute: Type.Optional(Type.Integer()),
});
export type IntegrationSettings = Static<typeof IntegrationSettings>;

/** An integration; `key` and `endpoint` are only present right after it was created (the key is stored hashed). */
export const Integration = Type.Object({
  id: Type.String(),
  serviceId: Type.String(),
  name: Type.String(),
  kind: IntegrationKindSchema,
  keyHint: Type.String(),
  settings: IntegrationSettings,
  key: Type.Optional(Type.String()),
  endpoint: Type.Optional(Type.String({ description: 'Where to send events and how to authenticate, given the key' })),
});
export type Integration = Static<typeof Integration>;

export const ServiceAnswer = Type.Object({ service: Service });
export const ServicesAnswer = Type.Object({ services: Type.Array(Service) });
export const IntegrationAnswer = Type.Object({ integration: Integration });
export const IntegrationsAnswer = Type.Object({ integrations: Type.Array(Integration) });
