/*
 * Maintenance windows from a source: each importer reads the windows running or ahead and hands them
 * here with the Klaxon services they cover; `toImported` decides whether Klaxon can create the same
 * window and says so in the report either way. `--apply` creates them (run.ts, createMaintenanceWindows).
 */
import { formatUtc } from '../lib/format.js';
import type { ImportedMaintenance, ReportItem } from './types.js';

/** A source window as the importer read it, its services already mapped to Klaxon service names. */
export interface SourceMaintenance {
  /** The report's kind, in the vendor's words ("maintenance window", "maintenance", "integration maintenance"). */
  kind: string;
  source: { name: string; id: string };
  /** The source's description or title; may be empty. */
  title: string;
  /** Vendor name for the description ("PagerDuty"...). */
  vendor: string;
  /** Klaxon service names the window covers. */
  services: string[];
  /** What the window covers that did not become a Klaxon service (names or ids as the source gives them). */
  uncovered: string[];
  /** Epoch ms; NaN or undefined when the source gave no usable time. */
  startsAt?: number;
  endsAt?: number;
  /** What the source does during the window that Klaxon does differently (a sentence), if anything. */
  differs?: string;
}

/**
 * The Klaxon window for a source window, or undefined (with a report item saying why). A window
 * that already ended by `now` is skipped without an item: there is nothing left of it to keep.
 */
export function toImported(m: SourceMaintenance, now: number, items: ReportItem[]): ImportedMaintenance | undefined {
  const { startsAt, endsAt } = m;
  const base = { kind: m.kind, name: m.source.name, id: m.source.id };
  if (startsAt === undefined || endsAt === undefined || !Number.isFinite(startsAt) || !Number.isFinite(endsAt) || endsAt <= startsAt) {
    items.push({
      ...base,
      severity: 'not-imported',
      why: endsAt === undefined || !Number.isFinite(endsAt) ? 'it has no end time; a Klaxon maintenance window always ends' : 'it has no usable start and end time',
      instead: 'not imported: create a window in Klaxon for the span you need (status admin, Maintenance)',
    });
    return undefined;
  }
  if (endsAt <= now) return undefined;
  if (!m.services.length) {
    items.push({
      ...base,
      severity: 'not-imported',
      why: `it covers ${m.uncovered.length ? m.uncovered.join(', ') : 'nothing'}, which the import did not turn into a Klaxon service`,
      instead: 'not imported: create a window in Klaxon for the services you need',
    });
    return undefined;
  }
  const services = [...new Set(m.services)];
  const title = (m.title.trim() || `${m.vendor} maintenance ${m.source.id}`).replace(/\s+/g, ' ').slice(0, 500);
  const span = `${formatUtc(startsAt)} – ${formatUtc(endsAt)}`;
  const created = `created in Klaxon on ${services.join(', ')}, ${span}: incidents on them are recorded and nobody is paged while it runs`;
  if (m.uncovered.length) items.push({ ...base, severity: 'changed', why: `it also covers ${m.uncovered.join(', ')}, which did not become Klaxon services`, instead: created });
  else if (m.differs) items.push({ ...base, severity: 'changed', why: m.differs, instead: created });
  else items.push({ ...base, severity: 'note', why: 'a maintenance window is not part of klaxon.yaml', instead: created });
  return {
    source: m.source,
    title,
    description: `Imported from ${m.vendor} (${m.kind} ${m.source.id}).`,
    services,
    startsAt,
    endsAt,
  };
}
