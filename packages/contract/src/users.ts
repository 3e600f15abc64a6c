import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Literals, Nullable } from './common.js';
import { CHANNELS, ROLES } from './lists.js';

export const RoleSchema = Literals(ROLES);
export const ChannelSchema = Literals(CHANNELS);

/** A person who can be paged, or who watches. */
export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  timeZone: Type.String(),
  role: RoleSchema,
  createdAt: EpochMs,
});
export type User = Static<typeof User>;

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

/** A way to reach a user. */
export const ContactMethod = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  type: ChannelSchema,
  address: Type.String(),
  verified: Type.Boolean(),
  disabled: Type.Boolean(),
  repeatIfUnanswered: Type.Optional(Type.Boolean({ description: 'Voice: calls once more, at once, when a page is not answered (busy or no answer); present when on' })),
});
export type ContactMethod = Static<typeof ContactMethod>;

/** Input to add a contact method. */
export const ContactMethodInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    type: ChannelSchema,
    repeatIfUnanswered: Type.Optional(
      Type.Boolean({ description: 'Voice only: call once more, at once, when a page is not answered (iOS lets a repeated call within three minutes through Do Not Disturb)' }),
    ),
    address: Type.String({
      minLength: 1,
      maxLength: 4000,
      description:
        'Email, E.164 phone (+14155550100; sms, voice, whatsapp), Slack user/channel id, webhook URL, push subscription JSON, ntfy topic URL or JSON {server, topic, token}, Pushover user key or Telegram chat id',
    }),
  },
  { additionalProperties: false },
);
export type ContactMethodInput = Static<typeof ContactMethodInput>;

/** The incident urgencies a notification rule is used for. */
export const RuleUrgency = Type.Union([Type.Literal('high'), Type.Literal('low'), Type.Literal('any')]);
export type RuleUrgency = Static<typeof RuleUrgency>;

/** Notify through a contact method `delayMinutes` after the user is paged. */
export const NotificationRule = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  contactMethodId: Type.String(),
  delayMinutes: Type.Integer(),
  urgency: RuleUrgency,
});
export type NotificationRule = Static<typeof NotificationRule>;

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

/** An API token as listed (never with its secret). */
export const ApiToken = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  createdAt: EpochMs,
  lastUsedAt: Nullable(EpochMs),
  revoked: Type.Boolean(),
  readOnly: Type.Optional(Type.Boolean({ description: 'Refused (403) on every write' })),
  teamId: Type.Optional(Nullable(Type.String({ description: "Acts only on this team's objects (null: no limit)" }))),
  expiresAt: Type.Optional(Nullable(EpochMs)),
});
export type ApiToken = Static<typeof ApiToken>;

export const TokenInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    readOnly: Type.Optional(Type.Boolean({ description: 'A token that may only read: every write is refused with 403' })),
    teamId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200, description: "Limit the token to one team (id or name): it changes only that team's objects" }))),
    expiresAt: Type.Optional(Nullable(EpochMs)),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'Expire this many days from now (instead of expiresAt)' })),
  },
  { additionalProperties: false },
);
export type TokenInput = Static<typeof TokenInput>;
export const ConsentInput = Type.Object({ consent: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
export const VerifyInput = Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: false });

const TeamRole = Type.Union([Type.Literal('member'), Type.Literal('manager')]);
/** A member's permissions on the team's objects, on top of their global role (docs/permissions.md). */
export const TeamAccess = Type.Union([Type.Literal('admin'), Type.Literal('responder')], {
  description: "admin: manages the team's schedules, policies, services, integrations and members; responder: acts on its incidents and schedules",
});

/** A team and its members in order. */
export const Team = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  members: Type.Array(Type.Object({ userId: Type.String(), role: TeamRole, access: Type.Optional(TeamAccess) })),
});
export type Team = Static<typeof Team>;

/** Input to create or replace a team. */
export const TeamInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    members: Type.Optional(
      Type.Array(Type.Object({ userId: Type.String({ minLength: 1 }), role: Type.Optional(TeamRole), access: Type.Optional(Nullable(TeamAccess)) }, { additionalProperties: false }), {
        maxItems: 500,
      }),
    ),
  },
  { additionalProperties: false },
);
export type TeamInput = Static<typeof TeamInput>;

/** The answers of the people routes. */
export const UserAnswer = Type.Object({ user: User });
export const MeAnswer = Type.Object({ user: Nullable(User) });
export const UsersAnswer = Type.Object({ users: Type.Array(User) });
/** GET /users: everyone, or only the users named (a screen that shows a few names need not load the whole directory). */
export const UsersQuery = Type.Object(
  { ids: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 500, description: 'Only these user ids (repeat the parameter); unknown ids are left out' })) },
  { additionalProperties: false },
);
export type UsersQuery = Static<typeof UsersQuery>;
export const ContactMethodAnswer = Type.Object({ contactMethod: ContactMethod });
export const ContactMethodsAnswer = Type.Object({ contactMethods: Type.Array(ContactMethod) });
export const NotificationRuleAnswer = Type.Object({ notificationRule: NotificationRule });
export const NotificationRulesAnswer = Type.Object({ notificationRules: Type.Array(NotificationRule) });
export const TokensAnswer = Type.Object({ tokens: Type.Array(ApiToken) });
export const NewTokenAnswer = Type.Object({ token: Type.String({ description: 'The secret, shown once' }), apiToken: ApiToken });
export const TeamAnswer = Type.Object({ team: Team });
export const TeamsAnswer = Type.Object({ teams: Type.Array(Team) });
export const SentAnswer = Type.Object({ status: Type.Literal('sent') });
export const TestMessageAnswer = Type.Object({ messageId: Type.String() });

/** A one-time code that links a Telegram chat: send `/start CODE` to the bot (or open startUrl). */
export const TelegramLinkAnswer = Type.Object({
  code: Type.String(),
  expiresAt: Type.Number({ description: 'Epoch ms; the code works once, until then' }),
  botUsername: Type.Union([Type.String(), Type.Null()], { description: "The bot's @username, when the server knows it (KLAXON_TELEGRAM_BOT_USERNAME)" }),
  startUrl: Type.Union([Type.String(), Type.Null()], { description: 'https://t.me/<bot>?start=<code>, when the bot username is known' }),
});
export type TelegramLinkAnswer = Static<typeof TelegramLinkAnswer>;
