import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Literals, Nullable } from './common.js';

/** A hotline name: unique within its service. */
export const HotlineName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._@+-]*$', description: 'Unique within its service; letters, digits, space . _ @ + -' });

/** The telephony providers a hotline number can live on. */
export const HOTLINE_PROVIDERS = ['twilio', 'vonage'] as const;

const PhoneText = Type.String({ minLength: 1, maxLength: 40, description: 'A phone number in E.164 (+ and country code); spaces, dots, dashes and brackets are ignored' });
const RingSeconds = Type.Integer({ minimum: 5, maximum: 120, description: 'How long each on-call person is rung before the next is tried (seconds, default 20)' });
const AllowedCallers = Type.Array(PhoneText, { maxItems: 500, description: 'Only these numbers may open an incident; empty: anyone' });

/** Input to create a hotline. */
export const HotlineInput = Type.Object(
  {
    name: HotlineName,
    provider: Type.Optional(Literals(HOTLINE_PROVIDERS, { description: 'Default twilio' })),
    number: PhoneText,
    ringSeconds: Type.Optional(RingSeconds),
    allowedCallers: Type.Optional(AllowedCallers),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
  },
  { additionalProperties: false },
);
export type HotlineInput = Static<typeof HotlineInput>;

/** A partial update of a hotline. */
export const HotlinePatch = Type.Object(
  {
    name: Type.Optional(HotlineName),
    provider: Type.Optional(Literals(HOTLINE_PROVIDERS)),
    number: Type.Optional(PhoneText),
    ringSeconds: Type.Optional(RingSeconds),
    allowedCallers: Type.Optional(AllowedCallers),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type HotlinePatch = Static<typeof HotlinePatch>;

export const HotlineParams = Type.Object({ id: Type.String({ maxLength: 200 }), hotlineId: Type.String({ maxLength: 200 }) });

/** A hotline as the API shows it. */
export const Hotline = Type.Object({
  id: Type.String(),
  serviceId: Type.String(),
  name: Type.String(),
  provider: Literals(HOTLINE_PROVIDERS),
  number: Type.String({ description: 'E.164' }),
  ringSeconds: Type.Integer(),
  allowedCallers: Type.Array(Type.String(), { description: 'E.164 numbers; empty: anyone may call' }),
  enabled: Type.Boolean(),
  webhookUrl: Type.String({ description: "Twilio: the number's Voice webhook (HTTP POST); Vonage: the Voice application's answer URL" }),
  callsTaken: Type.Integer({ description: 'Calls that opened an incident' }),
  callsRefused: Type.Integer({ description: 'Calls refused: the caller was not on the allow-list, or the hotline was disabled' }),
  lastCallAt: Nullable(EpochMs),
  createdAt: EpochMs,
});
export type Hotline = Static<typeof Hotline>;

export const HotlineAnswer = Type.Object({ hotline: Hotline });
export const HotlinesAnswer = Type.Object({ hotlines: Type.Array(Hotline) });
