/*
 * The reports API (/api/v1/reports/*): answer types as the server sends them (durations in ms,
 * times in epoch ms), fetch helpers, react-query hooks and the export links. Only the reports
 * chunk imports this file.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client.ts';
import { keys } from './keys.ts';
// The server's types, from the API contract.
export type { AggregateRow, SlaRow, Breach, SlaTarget, SlaTargetInput } from '@klaxon/contract';
import type { AggregateRow, SlaRow, Breach, SlaTarget, SlaTargetInput } from '@klaxon/contract';
import { must } from '../lib/must.ts';

/** The filters every report takes, as query parameters (from/to: ISO date-times; unset: the last 30 days by the server's clock). */
export interface ReportQuery {
  from?: string;
  to?: string;
  team?: string;
  service?: string;
  severity?: string;
  drills?: boolean;
}

/** A part of the week, in the responder's own zone. */
export type DayPart = 'business' | 'evening' | 'night' | 'weekend';
export const DAY_PARTS: readonly DayPart[] = ['business', 'evening', 'night', 'weekend'];

/** What aggregates are grouped by. */
export type GroupBy = 'team' | 'service' | 'severity' | 'responder' | 'schedule' | 'day' | 'week' | 'month';

/** GET /reports/aggregates. */
export interface AggregatesAnswer {
  from: number;
  to: number;
  by: GroupBy;
  total: AggregateRow | null;
  rows: AggregateRow[];
}

/** GET /reports/sla. */
export interface SlaAnswer {
  from: number;
  to: number;
  period: 'day' | 'week' | 'month';
  updatesKnown: boolean;
  total: SlaRow;
  periods: SlaRow[];
  breaches: Breach[];
}

/** GET /reports/noise. */
export interface NoiseAnswer {
  from: number;
  to: number;
  flapMinutes: number;
  summary: { incidents: number; alerts: number; alertsPerIncident: number | null; resolvedWithoutAction: number; flappingAlerts: number; flaps: number };
  topServices: { serviceId: string; serviceName: string; incidents: number; alerts: number }[];
  topAlerts: { serviceId: string; serviceName: string; dedupKey: string; summary: string; count: number; events: number }[];
  flapping: { serviceId: string; dedupKey: string; flaps: number }[];
}

/** GET /reports/shifts. */
export interface ShiftsAnswer {
  from: number;
  to: number;
  pagesByResponder: ({ userId: string; name: string; timeZone: string; pages: number; interruptions: number; byChannel: Record<string, number> } & Record<DayPart, number>)[];
  mttaByHour: { hour: number; acknowledged: number; mtta: number | null }[];
  mttaByShift: { timeZone: string; shift: DayPart; acknowledged: number; mtta: number | null; p50: number | null; p90: number | null }[];
  onCall: { userId: string; name: string; timeZone: string; onCallHours: Record<DayPart | 'total', number>; interruptions: number; pages: number; offHoursPages: number }[];
}

/** A measure this week beside last week's. */
export interface Change {
  value: number | null;
  previous: number | null;
  delta: number | null;
  percent: number | null;
}

/** GET /reports/trends. */
export interface TrendsAnswer {
  from: number;
  to: number;
  weeks: { week: string; start: number; incidents: Change; alerts: Change; mtta: Change; mttr: Change; ttaP90: Change; ttrP90: Change; resolvedWithoutAction: Change }[];
}

/** A weekly-report subscriber. */
export interface Subscriber {
  id: string;
  name: string;
  email: string;
}

type Params = Record<string, string | number | boolean | undefined>;

const clean = (q: Params): Params => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== '' && v !== false));
const get = <T>(path: string, q: Params, signal?: AbortSignal) => request<T>('GET', path, { query: clean(q), signal });
const enc = encodeURIComponent;

/** The reports API. */
export const reportsApi = {
  aggregates: (q: ReportQuery & { by: GroupBy }, signal?: AbortSignal) => get<AggregatesAnswer>('/reports/aggregates', { ...q }, signal),
  sla: (q: ReportQuery & { period: 'day' | 'week' | 'month' }, signal?: AbortSignal) => get<SlaAnswer>('/reports/sla', { ...q }, signal),
  noise: (q: ReportQuery, signal?: AbortSignal) => get<NoiseAnswer>('/reports/noise', { ...q }, signal),
  shifts: (q: ReportQuery, signal?: AbortSignal) => get<ShiftsAnswer>('/reports/shifts', { ...q }, signal),
  trends: (q: ReportQuery & { weeks: number }, signal?: AbortSignal) => get<TrendsAnswer>('/reports/trends', { ...q }, signal),
  targets: () => request<{ targets: SlaTarget[] }>('GET', '/reports/sla-targets').then((r) => r.targets),
  putTarget: (input: SlaTargetInput) => request<{ target: SlaTarget }>('PUT', '/reports/sla-targets', { body: input }).then((r) => r.target),
  deleteTarget: (id: string) => request<undefined>('DELETE', `/reports/sla-targets/${enc(id)}`),
  subscribers: (team: string) => request<{ subscribers: Subscriber[] }>('GET', `/teams/${enc(team)}/report-subscribers`).then((r) => r.subscribers),
  subscribe: (team: string, userId: string) => request<undefined>('POST', `/teams/${enc(team)}/report-subscribers`, { body: { userId } }),
  unsubscribe: (team: string, userId: string) => request<undefined>('DELETE', `/teams/${enc(team)}/report-subscribers/${enc(userId)}`),
};

/** The download link of a report table: the server's own export (`format=csv&table=` or JSON). */
export function exportUrl(report: string, q: object, format: 'csv' | 'json', table?: string): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(clean({ ...(q as Params), format, ...(format === 'csv' && table && { table }) }))) s.set(k, String(v));
  return `/api/v1/reports/${report}?${s.toString()}`;
}

const STALE = 30_000;
export const useAggregates = (q: ReportQuery, by: GroupBy) =>
  useQuery({ queryKey: keys.reports.report('aggregates', { ...q, by }), queryFn: ({ signal }) => reportsApi.aggregates({ ...q, by }, signal), staleTime: STALE });
export const useSla = (q: ReportQuery, period: 'day' | 'week' | 'month') =>
  useQuery({ queryKey: keys.reports.report('sla', { ...q, period }), queryFn: ({ signal }) => reportsApi.sla({ ...q, period }, signal), staleTime: STALE });
export const useNoise = (q: ReportQuery) => useQuery({ queryKey: keys.reports.report('noise', q), queryFn: ({ signal }) => reportsApi.noise(q, signal), staleTime: STALE });
export const useShifts = (q: ReportQuery) => useQuery({ queryKey: keys.reports.report('shifts', q), queryFn: ({ signal }) => reportsApi.shifts(q, signal), staleTime: STALE });
export const useTrends = (q: ReportQuery, weeks: number) =>
  useQuery({ queryKey: keys.reports.report('trends', { ...q, weeks }), queryFn: ({ signal }) => reportsApi.trends({ ...q, weeks }, signal), staleTime: STALE });
export const useSlaTargets = () => useQuery({ queryKey: keys.reports.targets, queryFn: reportsApi.targets });
export const useSubscribers = (team: string | null) => useQuery({ queryKey: keys.reports.subscribers(team ?? ''), queryFn: () => reportsApi.subscribers(must(team, 'the team')), enabled: !!team });

/** Sets an SLA target; refreshes targets and SLA figures. */
export function usePutTarget() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: reportsApi.putTarget, onSuccess: () => qc.invalidateQueries({ queryKey: keys.reports.all }) });
}

/** Removes an SLA target. */
export function useDeleteTarget() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: reportsApi.deleteTarget, onSuccess: () => qc.invalidateQueries({ queryKey: keys.reports.all }) });
}
