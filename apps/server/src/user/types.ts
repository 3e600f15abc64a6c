import type { Role } from '../auth/actor.js';
import type { Channel } from '../notify/types.js';

/** A person who can be paged, or who watches. */
export interface User {
  id: string;
  email: string;
  name: string;
  timeZone: string;
  role: Role;
  createdAt: number;
}

/** A way to reach a user. */
export interface ContactMethod {
  id: string;
  userId: string;
  name: string;
  type: Channel;
  address: string;
  verified: boolean;
  disabled: boolean;
}

/** Notify through a contact method `delayMinutes` after the user is paged. */
export interface NotificationRule {
  id: string;
  userId: string;
  contactMethodId: string;
  delayMinutes: number;
  /** Which incidents the rule is used for: high urgency, low urgency, or any (the default). */
  urgency: RuleUrgency;
}

/** The incident urgencies a notification rule is used for. */
export type RuleUrgency = 'high' | 'low' | 'any';

// The request schemas live in the API contract (packages/contract).
export { ChannelSchema, ContactMethodInput, NotificationRuleInput, RoleSchema, UserInput, UserPatch } from '@klaxon/contract';
