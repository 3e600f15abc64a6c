/**
 * Reading the audit trail (GET /api/v1/audit and its export) and keeping it to its retention. The
 * entries are written by the verbs themselves, in their transaction (audit.ts).
 */
import { AuditExportQuery, AuditQuery, type AuditEntry } from '@klaxon/contract';
import { auditNow } from './audit.js';
import { can, requirePermission, requirePermissionSomewhere, type Actor } from './auth/actor.js';
import { findPolicy } from './escalation/service.js';
import { findSchedule } from './schedule/store.js';
import { findService } from './service/service.js';
import { teamIdByIdOrName } from './team/store.js';
import type { Ctx, Tx } from './context.js';
import { inBatch } from './engine/batch.js';
import type { EngineModule } from './engine/engine.js';
import { forbidden, invalid } from './lib/errors.js';
import { parse } from './lib/validate.js';
import { auditRows, deleteAuditRows, expiredAuditIds, type AuditFilter, type AuditRow } from './store.js';
import { findUserByEmail } from './user/store.js';
import { must } from './lib/must.js';

const json = (s: string | null | undefined): unknown => {
  if (s == null) return null;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
};

/** An audit row as the API answers it. */
export function entryOf(r: AuditRow): AuditEntry {
  const data = json(r.data);
  return {
    id: r.id,
    at: Number(r.at),
    actor: { type: r.actor_type ?? 'unknown', id: r.actor_id ?? null, name: r.actor },
    action: r.action,
    subject: { type: r.subject_type ?? must(r.action.split('.')[0], 'r.action.split(".")[0]'), id: r.subject },
    via: r.via ?? null,
    address: r.address ?? null,
    data: data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
    before: json(r.before),
    after: json(r.after),
  };
}

function encodeCursor(e: { at: number; id: string }): string {
  return Buffer.from(`${e.at}:${e.id}`).toString('base64url');
}

function decodeCursor(c: string): { at: number; id: string } {
  const m = /^(\d{1,16}):(\S{1,100})$/.exec(Buffer.from(c, 'base64url').toString());
  if (!m) throw invalid('cursor: not a cursor this API gave (use nextCursor of the previous page)', [{ path: 'cursor', message: 'unknown cursor' }]);
  return { at: Number(m[1]), id: must(m[2], 'm[2]') };
}

async function filterOf(db: Tx, q: Omit<AuditQuery, 'cursor' | 'limit'>): Promise<AuditFilter> {
  if (q.from !== undefined && q.to !== undefined && q.to <= q.from) throw invalid('to: must be after from', [{ path: 'to', message: 'must be after from' }]);
  const f: AuditFilter = { action: q.action, subjectType: q.subjectType, subjectId: q.subjectId, from: q.from, to: q.to };
  if (q.actor) {
    // A person by email, else an actor id as given.
    const u = q.actor.includes('@') ? await findUserByEmail(db, q.actor.toLowerCase()) : undefined;
    if (q.actor.includes('@') && !u) throw invalid(`actor: no user with email ${q.actor}`, [{ path: 'actor', message: 'unknown user' }]);
    f.actorId = u ? u.id : q.actor;
  }
  return f;
}

/**
 * The team of an audited object a team admin may read the history of: a schedule, escalation policy
 * or service (its teamId), or the team itself. null for anything else (global admins only).
 */
async function subjectTeam(db: Tx, subjectId: string): Promise<string | null> {
  const team = await teamIdByIdOrName(db, subjectId);
  if (team && team.id === subjectId) return team.id;
  for (const find of [findSchedule, findPolicy, findService] as const) {
    const o = await find(db, subjectId);
    if (o && o.id === subjectId) return o.teamId ?? null;
  }
  return null;
}

/**
 * The audit trail, newest first, filtered, a page at a time. Global admins read all of it; a team
 * admin reads the history of one of their team's objects (`subjectId` a schedule, policy or
 * service of the team, or the team itself).
 */
export async function listAudit(ctx: Ctx, actor: Actor, query: unknown): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  requirePermissionSomewhere(actor, 'admin');
  const q = parse(AuditQuery, query ?? {}, 'audit query');
  if (!can(actor, 'admin')) {
    if (!q.subjectId) throw forbidden("Your role may read only the history of your team's objects: give subjectId (a schedule, escalation policy or service of your team, or the team)");
    requirePermission(actor, 'admin', await subjectTeam(ctx.db.kysely, q.subjectId));
  }
  const limit = q.limit ?? 100;
  const f = await filterOf(ctx.db.kysely, q);
  if (q.cursor) f.after = decodeCursor(q.cursor);
  const rows = await auditRows(ctx.db.kysely, f, limit + 1);
  const page = rows.slice(0, limit).map(entryOf);
  return { entries: page, nextCursor: rows.length > limit ? encodeCursor(must(page.at(-1), 'page.at(-1)')) : null };
}

/**
 * Every entry matching the filters, newest first, read a page at a time (so an export of years of
 * trail never sits in memory). Admins only; the export itself goes on the trail.
 */
export async function exportAudit(ctx: Ctx, actor: Actor, query: unknown): Promise<{ format: 'csv' | 'json'; entries: AsyncIterable<AuditEntry> }> {
  requirePermission(actor, 'admin');
  const q = parse(AuditExportQuery, query ?? {}, 'audit export');
  const f = await filterOf(ctx.db.kysely, q);
  await auditNow(ctx, actor, 'audit.export', 'audit', { format: q.format ?? 'csv', filters: { ...q, format: undefined } });
  const db = ctx.db.kysely;
  async function* entries(): AsyncIterable<AuditEntry> {
    let after: AuditFilter['after'];
    for (;;) {
      const rows = await auditRows(db, { ...f, after }, 500);
      for (const r of rows) yield entryOf(r);
      if (rows.length < 500) return;
      const last = must(rows.at(-1), 'rows.at(-1)');
      after = { at: Number(last.at), id: last.id };
    }
  }
  return { format: q.format ?? 'csv', entries: entries() };
}

/** The CSV header of an audit export. */
export const AUDIT_CSV_COLUMNS = ['id', 'at', 'time', 'actorType', 'actorId', 'actor', 'action', 'subjectType', 'subjectId', 'via', 'address', 'data', 'before', 'after'] as const;

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  // Quote always-safe; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** One audit entry as a CSV line (with its line ending). */
export function auditCsvLine(e: AuditEntry): string {
  const cells = [e.id, e.at, new Date(e.at).toISOString(), e.actor.type, e.actor.id, e.actor.name, e.action, e.subject.type, e.subject.id, e.via, e.address, e.data, e.before, e.after];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** Entries deleted per batch by the retention sweep. */
const PRUNE_BATCH = 1000;

/**
 * Keeps the audit trail to its retention (KLAXON_AUDIT_RETENTION_DAYS): entries older than that are
 * deleted, a batch of 1,000 per transaction, by the injected clock. A clock-driven engine module,
 * registered in app/klaxon.ts; it checks at most once an hour.
 */
export function auditRetentionModule(retentionDays: number): EngineModule {
  let lastRun = -Infinity;
  return {
    name: 'audit-retention',
    async updateAll(ctx: Ctx): Promise<void> {
      const now = ctx.clock.now();
      if (now - lastRun < 3600_000) return;
      lastRun = now;
      const before = now - retentionDays * 86_400_000;
      for (let round = 0; round < 100; round++) {
        const ids = await expiredAuditIds(ctx.db.kysely, before, PRUNE_BATCH);
        if (!ids.length) return;
        await inBatch(ctx, 'audit-retention', [ids], async (trx, _live, batch) => {
          await deleteAuditRows(trx, batch);
        });
        if (ids.length < PRUNE_BATCH) return;
      }
    },
  };
}
