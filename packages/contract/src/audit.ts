import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Nullable } from './common.js';

/** One entry of the audit trail: who did what, when, from where, and before/after for configuration. */
export const AuditEntry = Type.Object({
  id: Type.String(),
  at: EpochMs,
  actor: Type.Object({
    type: Type.String({ description: 'user, integration, system or anonymous (a failed sign-in)' }),
    id: Nullable(Type.String()),
    name: Type.String(),
  }),
  action: Type.String({ description: 'e.g. schedule.update, incident.acknowledge, auth.login, token.create' }),
  subject: Type.Object({ type: Type.String({ description: 'schedule, service, policy, team, user, incident, token, ...' }), id: Type.String() }),
  via: Nullable(Type.String({ description: 'The channel: web, api, cli, sms, voice, email, slack, push, config, ...' })),
  address: Nullable(Type.String({ description: 'The remote address of the request, when there was one' })),
  data: Type.Record(Type.String(), Type.Unknown()),
  before: Type.Unknown({ description: 'The object before a configuration change (null: none)' }),
  after: Type.Unknown({ description: 'The object after a configuration change (null: none)' }),
});
export type AuditEntry = Static<typeof AuditEntry>;

const AuditFilters = {
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'A user id or email (or another actor id)' })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'An action, or a prefix ending in a dot (schedule.)' })),
  subjectType: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'The kind of object: schedule, service, policy, team, user, incident, token, integration, auth, ...' })),
  subjectId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The object id' })),
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'From this time (epoch ms, inclusive)' })),
  to: Type.Optional(Type.Integer({ minimum: 0, description: 'Before this time (epoch ms)' })),
};

/** GET /api/v1/audit: filters, newest first, keyset paging. */
export const AuditQuery = Type.Object(
  {
    ...AuditFilters,
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Entries per page (default 100)' })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditAnswer = Type.Object({ entries: Type.Array(AuditEntry), nextCursor: Nullable(Type.String({ description: 'Pass as cursor for the next (older) page; null at the end' })) });
export type AuditAnswer = Static<typeof AuditAnswer>;

/** GET /api/v1/audit/export: the same filters, every matching entry, as CSV or JSON (streamed). */
export const AuditExportQuery = Type.Object(
  { ...AuditFilters, format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')], { description: 'csv (default) or json' })) },
  { additionalProperties: false },
);
export type AuditExportQuery = Static<typeof AuditExportQuery>;

export const AuditExport = Type.String({
  description: 'CSV (a header row: id, at, time, actorType, actorId, actor, action, subjectType, subjectId, via, address, data, before, after) or a JSON array of entries',
});
