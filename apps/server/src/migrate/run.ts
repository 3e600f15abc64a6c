/*
 * The migration verbs: import from a source (and apply), compare with a source, and the last of each
 * for the admin area. The CLI (cli/migrate.ts) and tests call these; each vendor lives in its own
 * folder behind a SourceAdapter (adapters.ts).
 */
import { requirePermission, type Actor } from '../auth/actor.js';
import { applyConfig, type ApplyResult } from '../config/apply.js';
import { validateConfig } from '../config/load.js';
import { withTransaction, type Ctx } from '../context.js';
import { resolveTargets } from '../escalation/targets.js';
import { findPolicy } from '../escalation/service.js';
import { getFinalSchedule } from '../schedule/service.js';
import { findService } from '../service/service.js';
import { listUsers } from '../user/store.js';
import { diffOnCall, diffPaging, formatCompare, type CompareResult } from './compare.js';
import { renderReport } from './report.js';
import type { SourceClient } from './source-client.js';
import { lastRun, recordRun, type MigrationRun } from './store.js';
import type { ImportedMaintenance, ImportOptions, ImportResult, Progress, SourceAdapter } from './types.js';
import { createMaintenance, listMaintenance } from '../status/service.js';
import type { MaintenanceWindow } from '../status/types.js';
import { formatUtc } from '../lib/format.js';

const WEEK = 7 * 24 * 3600_000;

/** Reads the whole source and maps it; the result is checked against the klaxon.yaml schema. */
export async function importFromSource(adapter: SourceAdapter, client: SourceClient, progress: Progress, opts: ImportOptions): Promise<ImportResult> {
  const result = await adapter.import(client, progress, opts);
  // A mapping that produces a document Klaxon would refuse is a bug in the importer: say so plainly.
  validateConfig(result.config, `${adapter.name} import`);
  return result;
}

/**
 * Applies an import in one transaction (all or nothing, as `klaxon apply`): the configuration (people,
 * contact methods trusted or not, schedules with their overrides, policies, services), the source's
 * maintenance windows and the stored run for the admin area commit together or not at all. A dry run
 * is the same transaction rolled back, so it reports exactly what a real apply does. Returns the
 * report with the changes and new integration keys.
 */
export async function applyImport(ctx: Ctx, actor: Actor, result: ImportResult, opts: { dryRun: boolean; trustContacts: boolean }): Promise<{ applied: ApplyResult; report: string }> {
  requirePermission(actor, 'admin');
  return withTransaction(
    ctx,
    async (tctx) => {
      const config = await applyConfig(tctx, actor, result.config, { dryRun: false, prune: false, file: `${result.source} import`, trustContacts: opts.trustContacts });
      const windows = await createMaintenanceWindows(tctx, actor, result.maintenance);
      // A dry run's generated keys are rolled back with everything else: none to show.
      const applied: ApplyResult = {
        changes: [...config.changes, ...windows],
        createdKeys: opts.dryRun ? [] : config.createdKeys,
        ...(!opts.dryRun && config.createdHeartbeats && { createdHeartbeats: config.createdHeartbeats }),
      };
      const at = tctx.clock.now();
      const report = renderReport(result, { at, applied, dryRun: opts.dryRun, trustContacts: opts.trustContacts });
      if (!opts.dryRun) {
        await recordRun(tctx.db.kysely, {
          kind: 'import',
          source: result.source,
          sourceUrl: result.url,
          createdAt: at,
          differences: result.items.length,
          summary: { counts: result.counts, items: result.items, senders: result.senders, changes: applied.changes, trustContacts: opts.trustContacts },
          report,
        });
      }
      return { applied, report };
    },
    { rollback: opts.dryRun },
  );
}

/**
 * Creates the imported maintenance windows that are not in Klaxon yet (same title, start, end and
 * services as one not cancelled: a second apply creates nothing) and have not ended. Returns one
 * change line per window created.
 */
async function createMaintenanceWindows(tctx: Ctx, actor: Actor, windows: readonly ImportedMaintenance[]): Promise<string[]> {
  const now = tctx.clock.now();
  const existing = await listMaintenance(tctx, actor);
  const lines: string[] = [];
  for (const w of windows) {
    if (w.endsAt <= now) continue;
    const serviceIds: string[] = [];
    for (const name of w.services) {
      const svc = await findService(tctx.db.kysely, name);
      if (svc) serviceIds.push(svc.id);
    }
    const same = (m: MaintenanceWindow) =>
      m.title === w.title && m.startsAt === w.startsAt && m.endsAt === w.endsAt && m.businessServiceIds.length === 0 && [...m.serviceIds].sort().join() === [...serviceIds].sort().join();
    if (existing.some(same)) continue;
    await createMaintenance(tctx, actor, {
      title: w.title,
      description: w.description,
      serviceIds: w.services,
      startsAt: new Date(w.startsAt).toISOString(),
      endsAt: new Date(w.endsAt).toISOString(),
    });
    lines.push(`+ maintenance window "${w.title}" on ${w.services.join(', ')}, ${formatUtc(w.startsAt)} – ${formatUtc(w.endsAt)}`);
  }
  return lines;
}

/**
 * Compares the source's own on-call answers over the next `weeks` weeks and its escalation now with
 * Klaxon's final schedules and escalation for the imported objects, and keeps the result.
 */
export async function compareWithSource(ctx: Ctx, actor: Actor, adapter: SourceAdapter, client: SourceClient, progress: Progress, opts: { weeks: number }): Promise<CompareResult> {
  requirePermission(actor, 'admin');
  const now = ctx.clock.now();
  const span = { from: now, to: now + opts.weeks * WEEK };
  const emailOf = new Map((await listUsers(ctx.db.kysely)).map((u) => [u.id, u.email.toLowerCase()]));
  const emails = (ids: readonly string[]) => ids.map((id) => emailOf.get(id) ?? id);

  const sourceSchedules = await adapter.onCall(client, progress, span);
  const schedules: CompareResult['schedules'] = [];
  progress.start('Klaxon schedules', sourceSchedules.length);
  for (const s of sourceSchedules) {
    let klaxon: { start: number; end: number; emails: string[] }[] | undefined;
    try {
      const f = await getFinalSchedule(ctx, actor, s.schedule, { from: span.from, to: span.to });
      klaxon = f.shifts.map((x) => ({ start: x.start, end: x.end, emails: emails(x.userIds) }));
    } catch (e) {
      if ((e as { code?: string }).code !== 'not_found') throw e;
    }
    schedules.push({
      schedule: s.schedule,
      source: s.source,
      inKlaxon: Boolean(klaxon),
      differences: klaxon ? diffOnCall(s.schedule, s.intervals, klaxon, span) : [],
      notes: s.notes ?? [],
    });
    progress.advance('Klaxon schedules', 1);
  }
  progress.done('Klaxon schedules');

  const sourcePaging = await adapter.paging(client, progress, now);
  const services: CompareResult['services'] = [];
  for (const p of sourcePaging) {
    const svc = await findService(ctx.db.kysely, p.service);
    const policy = svc?.escalationPolicyId ? await findPolicy(ctx.db.kysely, svc.escalationPolicyId) : undefined;
    const levels: { emails: string[] }[] = [];
    for (const level of policy?.levels ?? []) levels.push({ emails: emails((await resolveTargets(ctx.db.kysely, level.targets, now)).userIds) });
    const differences = svc ? diffPaging(p.service, p.levels, levels) : [];
    services.push({
      service: p.service,
      source: p.source,
      inKlaxon: Boolean(svc),
      levels: Array.from({ length: Math.max(p.levels.length, levels.length) }, (_, i) => ({
        level: i + 1,
        source: [...(p.levels[i]?.emails ?? [])].sort(),
        klaxon: [...(levels[i]?.emails ?? [])].sort(),
      })),
      differences,
    });
  }

  const differences = schedules.filter((s) => !s.inKlaxon || s.differences.length).length + services.filter((s) => !s.inKlaxon || s.differences.length).length;
  const result: CompareResult = { source: adapter.name, url: client.baseUrl, from: span.from, to: span.to, at: now, schedules, services, differences };
  await recordRun(ctx.db.kysely, { kind: 'compare', source: adapter.name, sourceUrl: client.baseUrl, createdAt: now, differences, summary: result, report: formatCompare(result) });
  return result;
}

/** The last applied import and the last comparison, for the web app's admin area. Admins only. */
export async function getMigrationStatus(ctx: Ctx, actor: Actor): Promise<{ lastImport: MigrationRun | null; lastCompare: MigrationRun | null }> {
  requirePermission(actor, 'admin');
  return { lastImport: (await lastRun(ctx.db.kysely, 'import')) ?? null, lastCompare: (await lastRun(ctx.db.kysely, 'compare')) ?? null };
}
