import { Type, type Static } from '@sinclair/typebox';

/** How new alerts join open incidents: never, within a time window, or by the value of a field. */
export const GroupingSchema = Type.Union([
  Type.Object({ mode: Type.Literal('none') }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('window'), minutes: Type.Integer({ minimum: 1, maximum: 1440 }) }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('field'), field: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
]);
export type Grouping = Static<typeof GroupingSchema>;

/** Input to create or replace a service. */
export const ServiceInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    escalationPolicyId: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    teamId: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    grouping: Type.Optional(GroupingSchema),
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
