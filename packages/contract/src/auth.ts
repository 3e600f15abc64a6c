import { Type, type Static } from '@sinclair/typebox';
import { User } from './users.js';

export const LoginBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

export const SetupBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 8, maxLength: 200 }),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' }),
  },
  { additionalProperties: false },
);
export type SetupBody = Static<typeof SetupBody>;

export const ForgotPasswordBody = Type.Object({ email: Type.String({ minLength: 3, maxLength: 320 }) }, { additionalProperties: false });
export const SetPasswordBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 8, maxLength: 200 }) }, { additionalProperties: false });
export const SessionQuery = Type.Object(
  {
    optional: Type.Optional(
      Type.Literal('true', { description: 'Answer 200 {"user": null, "csrfToken": null} instead of 401 when nobody is signed in (the web app asks this way, so a signed-out load logs no error)' }),
    ),
  },
  { additionalProperties: false },
);

/** The signed-in session (POST /auth/login, POST /setup). */
export const Session = Type.Object({ user: User, csrfToken: Type.String() });
export type Session = Static<typeof Session>;

/** GET /auth/session: the session, or with ?optional=true nobody. */
export const SessionAnswer = Type.Union([Session, Type.Object({ user: Type.Null(), csrfToken: Type.Null() })]);
export type SessionAnswer = Static<typeof SessionAnswer>;

export const SetupNeededAnswer = Type.Object({ needed: Type.Boolean() });
export const VapidKeyAnswer = Type.Object({ publicKey: Type.String() });

/** GET /api/v1/live: who opens the socket. */
export const LiveQuery = Type.Object({ token: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'An API token, for clients that cannot send headers or cookies' })) });

/** GET /api/v1/live answers by switching to a WebSocket; these are the messages it sends. */
export const SwitchingProtocols = Type.Unsafe<undefined>({
  description: 'Switching to a WebSocket: each message is a JSON live event {type, incidentId?, data?}; the server pings every 25 s',
});

/** What the WebSocket at /api/v1/live pushes. */
export interface LiveEvent {
  type: string;
  incidentId?: string;
  data?: Record<string, unknown>;
}
