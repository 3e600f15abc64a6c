/*
 * Report filters kept in the URL (so a view can be shared), the incident-list links every figure
 * drills down to, and number formatting. Pure functions beside one hook.
 */
import { useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { GroupBy, ReportQuery } from '../api/reports.ts';

const DAY = 86_400_000;

/** The filters as the URL holds them: from/to are UTC dates (YYYY-MM-DD, `to` inclusive). */
export interface ReportFilters {
  from: string;
  to: string;
  team: string;
  service: string;
  severity: string;
  drills: boolean;
}

export const FILTER_KEYS = ['from', 'to', 'team', 'service', 'severity', 'drills'] as const;

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

/** Reads the filters from URL parameters (ignoring malformed dates). */
export function readFilters(p: URLSearchParams): ReportFilters {
  const d = (k: string) => {
    const v = p.get(k) ?? '';
    return isDate(v) ? v : '';
  };
  return { from: d('from'), to: d('to'), team: p.get('team') ?? '', service: p.get('service') ?? '', severity: p.get('severity') ?? '', drills: p.get('drills') === 'true' };
}

/** The API query of the filters: dates become UTC instants, `to` the end of its day. Unset dates: the server's default (the last 30 days). */
export function toQuery(f: ReportFilters): ReportQuery {
  const q: ReportQuery = {};
  if (f.from) q.from = `${f.from}T00:00:00Z`;
  if (f.to) q.to = new Date(Date.parse(`${f.to}T00:00:00Z`) + DAY).toISOString();
  if (f.team) q.team = f.team;
  if (f.service) q.service = f.service;
  if (f.severity) q.severity = f.severity;
  if (f.drills) q.drills = true;
  return q;
}

/** The filters from the URL, the API query, and a setter that keeps every other URL parameter. */
export function useReportFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const query = useMemo(() => toQuery(filters), [filters]);
  const set = (patch: Partial<ReportFilters>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === '' || v === false || v === null || v === undefined) next.delete(k);
      else next.set(k, String(v));
    }
    setParams(next, { replace: true });
  };
  /** The filter part of the URL, to carry across tabs. */
  const search = FILTER_KEYS.filter((k) => params.has(k))
    .map((k) => `${k}=${encodeURIComponent(params.get(k) ?? '')}`)
    .join('&');
  return { filters, query, set, search: search ? `?${search}` : '' };
}

/** What narrows a drill-down beyond the report's own filters. */
export interface Drill {
  /** Created in [since, until) (ms); default: the report's range. */
  since?: number;
  until?: number;
  team?: string;
  service?: string;
  /** The severity key reports group by (declared level, else alert severity). */
  level?: string;
  acknowledged?: boolean;
  acknowledgedBy?: string;
  status?: 'resolved';
  ids?: string[];
}

/**
 * The incident-list link behind a figure: the report's range (the answer's from/to, which the
 * server resolved), its team, service, severity and drill rule, narrowed by `d`. `label` is what
 * the list shows on its "from report" chip.
 */
export function drillHref(range: { from: number; to: number }, f: ReportFilters, label: string, d: Drill = {}): string {
  const p = new URLSearchParams();
  p.set('status', d.status ?? 'all');
  if (d.ids) for (const id of d.ids) p.append('ids', id);
  else {
    p.set('since', String(d.since ?? range.from));
    p.set('until', String(d.until ?? range.to));
    const team = d.team ?? f.team;
    const service = d.service ?? f.service;
    const level = d.level ?? f.severity;
    if (team) p.set('team', team);
    if (service) p.set('service', service);
    if (level) p.set('level', level);
    if (!f.drills) p.set('drill', 'false');
    if (d.acknowledged !== undefined) p.set('acknowledged', String(d.acknowledged));
    if (d.acknowledgedBy) p.set('acknowledgedBy', d.acknowledgedBy);
  }
  p.set('report', label);
  return `/incidents?${p.toString()}`;
}

/** The [start, end) of a period key: a start in ms (aggregates) or a label "2026-03-02" / "2026-03" (SLA), in UTC. */
export function periodRange(key: string, period: 'day' | 'week' | 'month'): { since: number; until: number } | null {
  let start: number;
  if (/^\d{4}-\d{2}$/.test(key)) start = Date.parse(`${key}-01T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(key)) start = Date.parse(`${key}T00:00:00Z`);
  else if (/^-?\d+$/.test(key)) start = Number(key);
  else return null;
  if (Number.isNaN(start)) return null;
  if (period === 'day') return { since: start, until: start + DAY };
  if (period === 'week') return { since: start, until: start + 7 * DAY };
  const d = new Date(start);
  return { since: start, until: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

/** What narrows the incident list to one aggregate row; null when the list cannot (schedules). */
export function rowDrill(by: GroupBy, key: string): Drill | null {
  switch (by) {
    case 'team':
      return key.startsWith('(') ? null : { team: key };
    case 'service':
      return { service: key };
    case 'severity':
      return { level: key };
    case 'responder':
      return key.startsWith('(') ? { acknowledged: false } : { acknowledgedBy: key };
    case 'schedule':
      return null;
    default:
      return periodRange(key, by);
  }
}

/** Durations are written one way everywhere (lib/duration.ts). */
export { duration } from '../lib/duration.ts';

/** Minutes with one decimal, for chart axes. */
export const minutes = (ms: number | null | undefined): number | null => (ms === null || ms === undefined ? null : Math.round(ms / 6000) / 10);

/** A percentage, or "–". */
export const percent = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${v}%`);

/** A UTC date "2026-03-02" of an instant. */
export const utcDate = (t: number): string => new Date(t).toISOString().slice(0, 10);
