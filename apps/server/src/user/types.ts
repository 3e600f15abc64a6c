import { Type, type Static } from '@sinclair/typebox';
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

export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('responder'), Type.Literal('stakeholder'), Type.Literal('viewer')]);
export const ChannelSchema = Type.Union(
  (['email', 'sms', 'voice', 'slack', 'webhook', 'push'] as const).map((c) => Type.Literal(c)),
);

/** Input to create a user. */
export const UserInput = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$', description: 'Unique sign-in and contact email' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' })),
    role: Type.Optional(RoleSchema),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type UserInput = Static<typeof UserInput>;

/** A partial update of a user. */
export const UserPatch = Type.Object(
  {
    ...Type.Partial(Type.Omit(UserInput, ['email'])).properties,
    currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Required with `password` when users change their own password (and have one)' })),
  },
  { additionalProperties: false },
);
export type UserPatch = Static<typeof UserPatch>;

/** Input to add a contact method. */
export const ContactMethodInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    type: ChannelSchema,
    address: Type.String({ minLength: 1, maxLength: 4000, description: 'Email, E.164 phone (+14155550100), Slack user/channel id, webhook URL or push subscription JSON' }),
  },
  { additionalProperties: false },
);
export type ContactMethodInput = Static<typeof ContactMethodInput>;

/** Input to add a notification rule. */
export const NotificationRuleInput = Type.Object(
  {
    contactMethodId: Type.String({ minLength: 1 }),
    delayMinutes: Type.Integer({ minimum: 0, maximum: 1440 }),
    urgency: Type.Optional(
      Type.Union([Type.Literal('high'), Type.Literal('low'), Type.Literal('any')], { description: 'Which incidents this rule is used for: high or low urgency, or any (default)' }),
    ),
  },
  { additionalProperties: false },
);
export type NotificationRuleInput = Static<typeof NotificationRuleInput>;
