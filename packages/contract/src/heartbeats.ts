import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Literals, Nullable } from './common.js';

/** A heartbeat name: what the Opsgenie ping API puts in its URL (/v2/heartbeats/{name}/ping). */
export const HeartbeatName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._@+-]*$', description: 'Unique within its service; letters, digits, space . _ @ + -' });

const Minutes = (description: string, minimum: number) => Type.Integer({ minimum, maximum: 525_600, description });
const Watchdog = Nullable(Type.String({ minLength: 1, maxLength: 200 }));

/** Input to create a heartbeat. */
export const HeartbeatInput = Type.Object(
  {
    name: HeartbeatName,
    intervalMinutes: Minutes('A check-in is expected at least this often (minutes)', 1),
    graceMinutes: Type.Optional(Minutes('Extra minutes before a missing check-in opens an incident (default 0)', 0)),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
    watchdogAlert: Type.Optional({ ...Watchdog, description: "An Alertmanager alertname (e.g. Watchdog) whose arrival on this service's alertmanager integrations counts as a check-in" }),
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
    watchdogAlert: Type.Optional(Watchdog),
  },
  { additionalProperties: false },
);
export type HeartbeatPatch = Static<typeof HeartbeatPatch>;

export const HeartbeatParams = Type.Object({ id: Type.String({ maxLength: 200 }), heartbeatId: Type.String({ maxLength: 200 }) });
export const CheckinParams = Type.Object({ token: Type.String({ maxLength: 200 }) });
export const PingParams = Type.Object({ name: Type.String({ maxLength: 200 }) });

/** ok: checked in within interval + grace; late: not; never: no check-in yet (and not late yet); disabled. */
export const HEARTBEAT_STATES = ['ok', 'late', 'never', 'disabled'] as const;

/** A heartbeat as the API shows it. */
export const Heartbeat = Type.Object({
  id: Type.String(),
  serviceId: Type.String(),
  name: Type.String(),
  intervalMinutes: Type.Integer(),
  graceMinutes: Type.Integer(),
  enabled: Type.Boolean(),
  watchdogAlert: Nullable(Type.String()),
  tokenHint: Type.String({ description: 'The last four characters of the check-in token' }),
  lastCheckinAt: Nullable(EpochMs),
  state: Literals(HEARTBEAT_STATES),
  incidentId: Nullable(Type.String({ description: 'The incident of the current miss, if one is open' })),
  createdAt: EpochMs,
  checkinUrl: Type.Optional(Type.String({ description: 'Only in the answer to create: the check-in URL (with its token), shown once' })),
});
export type Heartbeat = Static<typeof Heartbeat>;

export const HeartbeatAnswer = Type.Object({ heartbeat: Heartbeat });
export const HeartbeatsAnswer = Type.Object({ heartbeats: Type.Array(Heartbeat) });
