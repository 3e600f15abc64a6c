import { useQuery } from '@tanstack/react-query';

/** Optional server features the web app shows screens for only when the server has them. */
export interface Features {
  /** On-call schedules (/api/v1/schedules). Screens: schedules list and timeline, my shifts, iCal link. */
  schedules: boolean;
  /** The incident war room: chat and roles. */
  warRoom: boolean;
  /** Web Push (GET /api/v1/push/vapid-public-key). */
  push: boolean;
  /** Reports and postmortems (/api/v1/reports, /api/v1/postmortems). */
  reports: boolean;
}

const NONE: Features = { schedules: false, warRoom: false, push: false, reports: false };

/**
 * Features this web app has screens for. A feature shows (nav entry, route) only when the server
 * has its API and the app has its screen: set true here when the screen is built.
 */
export const SCREENS_BUILT: Features = { schedules: true, warRoom: true, push: true, reports: true };

/** Reads which features the server has from its published OpenAPI document's paths. */
export function featuresFromPaths(paths: string[]): Features {
  return {
    schedules: paths.some((p) => p.startsWith('/api/v1/schedules')),
    warRoom: paths.some((p) => /war-?room|\/chat\b/.test(p)),
    push: paths.some((p) => p.startsWith('/api/v1/push/')),
    reports: paths.some((p) => p.startsWith('/api/v1/reports/')),
  };
}

async function loadFeatures(): Promise<Features> {
  try {
    const res = await fetch('/api/v1/openapi.json', { credentials: 'same-origin' });
    if (!res.ok) return NONE;
    const doc = (await res.json()) as { paths?: Record<string, unknown> };
    const f = featuresFromPaths(Object.keys(doc.paths ?? {}));
    // Push routes may be hidden from the document: ask the endpoint itself.
    if (!f.push) f.push = (await fetch('/api/v1/push/vapid-public-key', { credentials: 'same-origin' })).ok;
    return { schedules: f.schedules && SCREENS_BUILT.schedules, warRoom: f.warRoom && SCREENS_BUILT.warRoom, push: f.push && SCREENS_BUILT.push, reports: f.reports && SCREENS_BUILT.reports };
  } catch {
    return NONE;
  }
}

/** The optional features both the server and this app have, fetched once per page load. */
export function useFeatures(): Features {
  return useQuery({ queryKey: ['features'], queryFn: loadFeatures, staleTime: Infinity, gcTime: Infinity }).data ?? NONE;
}
