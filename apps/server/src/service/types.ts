// The request schemas live in the API contract (packages/contract).
import type { Grouping, IntegrationKind, SupportHours, UrgencyRule } from '@klaxon/contract';
export {
  GroupingSchema,
  IntegrationInput,
  INTEGRATION_KINDS,
  ServiceInput,
  SupportHoursSchema,
  UrgencyRuleSchema,
  type Grouping,
  type IntegrationKind,
  type SupportHours,
  type UrgencyRule,
} from '@klaxon/contract';

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
