import { Type, type Static } from '@sinclair/typebox';

/** A heartbeat name: what the Opsgenie ping API puts in its URL (/v2/heartbeats/{name}/ping). */
export const HeartbeatName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._@+-]*$', description: 'Unique within its service; letters, digits, space . _ @ + -' });

const Minutes = (description: string, minimum: number) => Type.Integer({ minimum, maximum: 525_600, description });

/** Input to create a heartbeat. */
export const HeartbeatInput = Type.Object(
  {
    name: HeartbeatName,
    intervalMinutes: Minutes('A check-in is expected at least this often (minutes)', 1),
    graceMinutes: Type.Optional(Minutes('Extra minutes before a missing check-in opens an incident (default 0)', 0)),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
    watchdogAlert: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], { description: "An Alertmanager alertname (e.g. Watchdog) whose arrival on this service's alertmanager integrations counts as a check-in" })),
  },
  { additionalProperties: false },
);
export type HeartbeatInput = Static<typeof HeartbeatInput>;

/** A partial update of a heartbeat. */
export const HeartbeatPatch = Type.Object(
  {
    name: Type.Optional(HeartbeatName),
    intervalMinutes: Type.Optional(Minutes('A check-in is expected at least this often (minutes)', 1)),
    graceMinutes: Type.Optional(Minutes('Extra minutes before a missing check-in opens an incident', 0)),
    enabled: Type.Optional(Type.Boolean()),
    watchdogAlert: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type HeartbeatPatch = Static<typeof HeartbeatPatch>;

export const HeartbeatParams = Type.Object({ id: Type.String({ maxLength: 200 }), heartbeatId: Type.String({ maxLength: 200 }) });
export const CheckinParams = Type.Object({ token: Type.String({ maxLength: 200 }) });
export const PingParams = Type.Object({ name: Type.String({ maxLength: 200 }) });

/** A heartbeat as the API shows it. */
export interface Heartbeat {
  id: string;
  serviceId: string;
  name: string;
  intervalMinutes: number;
  graceMinutes: number;
  enabled: boolean;
  watchdogAlert: string | null;
  /** The last four characters of the check-in token. */
  tokenHint: string;
  lastCheckinAt: number | null;
  /** ok: checked in within interval + grace; late: not; never: no check-in yet (and not late yet); disabled. */
  state: 'ok' | 'late' | 'never' | 'disabled';
  /** The incident of the current miss, if one is open. */
  incidentId: string | null;
  createdAt: number;
  /** Only in the answer to create: the check-in URL (with its token), shown once. */
  checkinUrl?: string;
}
