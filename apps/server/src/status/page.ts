/**
 * The public view of a status page: components with their state and 90 days of history, active and
 * past incidents with their public updates only, maintenance; and the same as Atlassian Statuspage
 * v2 JSON. Drills never appear. A computed page is reused while a one-query fingerprint of what it
 * depends on is unchanged (across instances too) and no time boundary passed, so a page under load
 * costs one small query.
 */
import type { Tx } from '../context.js';
import {
  completedMaintenance,
  currentMaintenance,
  findPage,
  loadBusinessServices,
  affectedServiceIds,
  updateFromRow,
  publicTitleOf,
  pageFingerprint,
  pageIncidents,
  publicUpdateRows,
  publishedIncidentIds,
  severityRanks,
} from './store.js';
import type { ComponentState, MaintenanceWindow, Phase, StatusPage, StatusUpdate } from './types.js';
import { must } from '../lib/must.js';

const DAY = 86_400_000;
/** Days of uptime history per component. */
export const HISTORY_DAYS = 90;
/** How many resolved incidents a page lists (page, feeds, incidents.json). */
export const PAST_LIMIT = 50;
/** Longest a computed page is reused without a change (uptime percentages move with time). */
export const CACHE_MS = 60_000;
/** How often a reused page compares its fingerprint. */
export const CHECK_MS = 1_000;

/** One day of a component's history: its worst state and the share of the day it was up. */
export interface DayBar {
  day: string;
  state: ComponentState;
  uptime: number;
}

/** A component (business service) on a page. */
export interface PageComponent {
  id: string;
  name: string;
  description: string;
  position: number;
  createdAt: number;
  /**
   * Its last change: the latest of the business service's own edit and the start and end (so far)
   * of every incident and maintenance window that set its state.
   */
  updatedAt: number;
  state: ComponentState;
  history: DayBar[];
  uptimePercent: number;
}

/** An incident as a status page shows it. */
export interface PageIncident {
  id: string;
  number: number;
  title: string;
  impact: 'none' | 'minor' | 'major' | 'critical';
  phase: Phase;
  open: boolean;
  createdAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  componentIds: string[];
  /** Public updates only, newest first. */
  updates: StatusUpdate[];
}

/** A maintenance window as a page shows it. */
export type PageMaintenance = MaintenanceWindow & { running: boolean; componentIds: string[] };

/** Everything a status page shows. */
export interface PageData {
  page: StatusPage;
  generatedAt: number;
  components: PageComponent[];
  active: PageIncident[];
  past: PageIncident[];
  /** Maintenance not yet ended: running or announced; `componentIds` are the components it covers on this page. */
  maintenance: PageMaintenance[];
  /** Maintenance of this page's components that ran to its end, most recently ended first (at most 50). */
  completedMaintenance: PageMaintenance[];
  indicator: 'none' | 'minor' | 'major' | 'critical' | 'maintenance';
  description: string;
}

const STATE_ORDER: ComponentState[] = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];
const worse = (a: ComponentState, b: ComponentState): ComponentState => (STATE_ORDER.indexOf(a) >= STATE_ORDER.indexOf(b) ? a : b);

/** The component state an incident at severity rank `rank` causes: 1 major outage, 2 partial outage, else degraded. */
export function stateForRank(rank: number): ComponentState {
  return rank <= 1 ? 'major_outage' : rank === 2 ? 'partial_outage' : 'degraded_performance';
}

const IMPACT: Record<ComponentState, PageIncident['impact']> = { operational: 'none', under_maintenance: 'none', degraded_performance: 'minor', partial_outage: 'major', major_outage: 'critical' };

/** The public URL of a status page. */
export function pageUrl(publicUrl: string, slug: string): string {
  return `${publicUrl}/status${slug ? `/${encodeURIComponent(slug)}` : ''}`;
}

/** A computed page, reused while nothing it depends on changed. */
export interface PageView {
  fingerprint: string;
  until: number;
  /** When the fingerprint was last compared. */
  checkedAt: number;
  data: PageData | undefined;
  /** Rendered forms (HTML, feeds), memoized per view. */
  renders: Map<string, string>;
}

const views = new Map<string, PageView>();
const pending = new Map<string, Promise<PageView>>();

/** Drops every cached page (called after each status write in this process). */
export function invalidateStatusCache(): void {
  views.clear();
}

/**
 * A cheap summary of everything a page depends on (one small query): when it changes, in this
 * instance or another, the page is rebuilt. Time-driven changes are covered by PageView.until.
 */
function fingerprint(db: Tx): Promise<string> {
  return pageFingerprint(db);
}

/** The page `slug` as of `now`: reused while its fingerprint holds and no time boundary passed. */
export async function pageView(db: Tx, slug: string | null, now: number): Promise<PageView> {
  const key = slug ?? '';
  const hit = views.get(key);
  // Within a second of the last check, trust the view: writes here drop it at once, other instances' within 1 s.
  if (hit && hit.until > now && now - hit.checkedAt < CHECK_MS) return hit;
  const fp = await fingerprint(db);
  if (hit && hit.fingerprint === fp && hit.until > now) {
    hit.checkedAt = now;
    return hit;
  }
  const inFlight = pending.get(key);
  if (inFlight) return inFlight;
  const p = (async () => {
    const data = await loadPageData(db, slug, now);
    // Rebuild at the next maintenance start or end, at midnight UTC (history bars), and at least every CACHE_MS.
    const boundaries = (data?.maintenance ?? []).flatMap((m) => [m.startsAt, m.endsAt]).filter((t) => t > now);
    const until = Math.min(now + CACHE_MS, Math.floor(now / DAY) * DAY + DAY, ...boundaries);
    const view: PageView = { fingerprint: fp, until, checkedAt: now, data, renders: new Map() };
    if (views.size > 500) views.clear();
    views.set(key, view);
    return view;
  })();
  pending.set(key, p);
  try {
    return await p;
  } finally {
    pending.delete(key);
  }
}

/** `render()` memoized on a view under `name`. */
export function rendered(view: PageView, name: string, render: () => string): string {
  let out = view.renders.get(name);
  if (out === undefined) {
    out = render();
    view.renders.set(name, out);
  }
  return out;
}

/** What page `slug` (null: the default page) shows at `now`, or undefined for an unknown slug. */
export async function loadPageData(db: Tx, slug: string | null, now: number): Promise<PageData | undefined> {
  const page = await findPage(db, slug);
  if (!page) return undefined;
  const all = await loadBusinessServices(db);
  const bs = page.businessServiceIds.length ? page.businessServiceIds.map((id) => all.find((b) => b.id === id)).filter((b) => b !== undefined) : page.id === 'default' ? all : [];
  const bySvc = new Map<string, string[]>();
  for (const b of bs) for (const s of b.serviceIds) bySvc.set(s, [...(bySvc.get(s) ?? []), b.id]);

  const since = Math.floor(now / DAY) * DAY - (HISTORY_DAYS - 1) * DAY;
  // An incident is listed when it has a public update since 30 days before the history starts.
  const publishedSince = since - 30 * DAY;
  const [levels, incidents, maint, completed] = await Promise.all([severityRanks(db), pageIncidents(db, since, publishedSince), currentMaintenance(db, now), completedMaintenance(db, now, 200)]);
  const rank = new Map(levels.map((l) => [l.name, Number(l.rank)]));

  // Incidents touching this page's components.
  const touching = incidents
    .map((i) => {
      const ids = new Set<string>();
      for (const s of [i.service_id, ...affectedServiceIds(i.impact)]) for (const b of bySvc.get(s) ?? []) ids.add(b);
      return { ...i, componentIds: [...ids] };
    })
    .filter((i) => i.componentIds.length > 0);

  // Which incidents were published at all (small rows), then full updates only for those listed:
  // every open one and the PAST_LIMIT most recently resolved.
  const publishedRows = touching.length ? await publishedIncidentIds(db, publishedSince) : [];
  const published = new Set(publishedRows.map((r) => r.incident_id));
  const openIds = touching.filter((i) => i.status !== 'resolved' && published.has(i.id)).map((i) => i.id);
  const pastIds = touching
    .filter((i) => i.status === 'resolved' && published.has(i.id))
    .sort((a, b) => Number(b.resolved_at) - Number(a.resolved_at))
    .slice(0, PAST_LIMIT)
    .map((i) => i.id);
  const wanted = [...openIds, ...pastIds];
  const updates = wanted.length ? await publicUpdateRows(db, wanted) : [];
  const updatesOf = new Map<string, StatusUpdate[]>();
  for (const u of updates) {
    const list = updatesOf.get(u.incident_id) ?? [];
    // Subscribers and the page see the update, not who wrote it.
    list.push({ ...updateFromRow(u), author: '' });
    updatesOf.set(u.incident_id, list);
  }

  const state = new Map<string, ComponentState>(bs.map((b) => [b.id, 'operational']));
  const active: PageIncident[] = [];
  const past: PageIncident[] = [];
  for (const i of touching) {
    const r = i.sev ? rank.get(i.sev) : undefined;
    const open = i.status !== 'resolved';
    const st = r !== undefined ? stateForRank(r) : 'operational';
    if (open && r !== undefined) for (const c of i.componentIds) state.set(c, worse(must(state.get(c), 'state.get(c)'), st));
    const ups = updatesOf.get(i.id);
    if (!ups?.length) continue; // only incidents someone chose to publish are listed
    const latest = must(ups[0], 'ups[0]');
    const listedOpen = open && latest.phase !== 'resolved';
    const pi: PageIncident = {
      id: i.id,
      number: Number(i.number),
      // The public title, never the internal one (an alert summary such as "pg-primary disk full").
      title: publicTitleOf(ups, i.componentIds.map((c) => bs.find((b) => b.id === c)?.name ?? '').filter(Boolean)),
      impact: IMPACT[st],
      phase: listedOpen ? latest.phase : 'resolved',
      open: listedOpen,
      createdAt: Number(i.created_at),
      updatedAt: Math.max(Number(i.updated_at), latest.at),
      resolvedAt: i.resolved_at === null ? (listedOpen ? null : latest.at) : Number(i.resolved_at),
      componentIds: i.componentIds,
      updates: ups,
    };
    (listedOpen ? active : past).push(pi);
  }
  active.sort((a, b) => b.createdAt - a.createdAt);
  past.sort((a, b) => (b.resolvedAt ?? b.createdAt) - (a.resolvedAt ?? a.createdAt));

  const bsIdsOfPage = new Set(bs.map((b) => b.id));
  // The components a window covers on this page: its business services, and those its technical services map to.
  const onPage = (m: MaintenanceWindow): PageMaintenance => ({
    ...m,
    running: m.startsAt <= now,
    componentIds: [...new Set([...m.businessServiceIds.filter((b) => bsIdsOfPage.has(b)), ...m.serviceIds.flatMap((s) => bySvc.get(s) ?? [])])],
  });
  const maintenance = maint.map(onPage).filter((m) => m.componentIds.length > 0);
  const completedOnPage = completed
    .map(onPage)
    .filter((m) => m.componentIds.length > 0)
    .slice(0, 50);
  for (const m of maintenance) {
    if (!m.running) continue;
    for (const c of m.componentIds) if (state.get(c) === 'operational') state.set(c, 'under_maintenance');
  }

  // Each component's last change (see PageComponent.updatedAt).
  const changedAt = new Map<string, number>(bs.map((b) => [b.id, Math.max(b.createdAt, b.updatedAt)]));
  const changed = (ids: string[], t: number) => {
    if (t > now) return;
    for (const c of ids) {
      const prev = changedAt.get(c);
      if (prev !== undefined && t > prev) changedAt.set(c, t);
    }
  };
  for (const i of touching) {
    if (!i.sev || rank.get(i.sev) === undefined) continue; // sets no state
    changed(i.componentIds, Number(i.created_at));
    if (i.resolved_at !== null) changed(i.componentIds, Number(i.resolved_at));
  }
  for (const m of [...maintenance, ...completedOnPage]) {
    changed(m.componentIds, m.startsAt);
    changed(m.componentIds, m.endsAt);
  }

  // 90 days of history: worst state per day; downtime weighs 100% for a major and 30% for a partial outage.
  // Only the components an incident with a severity level touched get days of their own; the rest
  // (at scale, most of a page) share one quiet history below.
  const hist = new Map<string, { state: ComponentState; down: number }[]>();
  const cellsOf = (c: string) => {
    let cells = hist.get(c);
    if (!cells) hist.set(c, (cells = Array.from({ length: HISTORY_DAYS }, () => ({ state: 'operational' as ComponentState, down: 0 }))));
    return cells;
  };
  for (const i of touching) {
    const r = i.sev ? rank.get(i.sev) : undefined;
    if (r === undefined) continue;
    const st = stateForRank(r);
    const weight = st === 'major_outage' ? 1 : st === 'partial_outage' ? 0.3 : 0;
    const start = Math.max(Number(i.created_at), since);
    const end = Math.min(i.resolved_at === null ? now : Number(i.resolved_at), now);
    for (let d = Math.floor((start - since) / DAY); d <= Math.floor((end - since) / DAY) && d < HISTORY_DAYS; d++) {
      if (d < 0) continue;
      const dayStart = since + d * DAY;
      const overlap = Math.max(0, Math.min(end, dayStart + DAY) - Math.max(start, dayStart));
      for (const c of i.componentIds) {
        const cell = must(cellsOf(c)[d], 'the day of the history');
        cell.state = worse(cell.state, st);
        cell.down = Math.min(DAY, cell.down + overlap * weight);
      }
    }
  }
  const elapsed = now - since;
  const days = Array.from({ length: HISTORY_DAYS }, (_, d) => new Date(since + d * DAY).toISOString().slice(0, 10));
  const quiet: DayBar[] = days.map((day) => ({ day, state: 'operational', uptime: 1 }));
  const components: PageComponent[] = bs.map((b) => {
    const cells = hist.get(b.id);
    const down = cells ? cells.reduce((s, c) => s + c.down, 0) : 0;
    return {
      id: b.id,
      name: b.name,
      description: b.description,
      position: b.position,
      createdAt: b.createdAt,
      updatedAt: must(changedAt.get(b.id), 'changedAt.get(b.id)'),
      state: must(state.get(b.id), 'state.get(b.id)'),
      history: cells ? cells.map((c, d) => ({ day: must(days[d], 'days[d]'), state: c.state, uptime: 1 - c.down / DAY })) : quiet,
      uptimePercent: Math.max(0, Math.floor((1 - down / Math.max(elapsed, 1)) * 10_000) / 100),
    };
  });

  const worst = components.reduce<ComponentState>((w, c) => worse(w, c.state), 'operational');
  const indicator = worst === 'major_outage' ? 'critical' : worst === 'partial_outage' ? 'major' : worst === 'degraded_performance' ? 'minor' : worst === 'under_maintenance' ? 'maintenance' : 'none';
  const description = { none: 'All Systems Operational', minor: 'Minor Service Outage', major: 'Partial System Outage', critical: 'Major Service Outage', maintenance: 'Service Under Maintenance' }[
    indicator
  ];
  return { page, generatedAt: now, components, active, past, maintenance, completedMaintenance: completedOnPage, indicator, description };
}
