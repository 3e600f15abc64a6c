import { QueryClient, useQuery, type QueryKey } from '@tanstack/react-query';
import { ApiError, api } from './client.ts';

/** Query keys, in one place so live updates and mutations invalidate the same things screens read. */
export const keys = {
  users: ['users'] as const,
  contactMethods: (userId: string) => ['user', userId, 'contact-methods'] as const,
  rules: (userId: string) => ['user', userId, 'notification-rules'] as const,
  tokens: (userId: string) => ['user', userId, 'tokens'] as const,
  teams: ['teams'] as const,
  policies: ['policies'] as const,
  policy: (id: string) => ['policy', id] as const,
  services: ['services'] as const,
  service: (id: string) => ['service', id] as const,
  integrations: (serviceId: string) => ['service', serviceId, 'integrations'] as const,
  incidentLists: ['incidents'] as const,
  incident: (id: string) => ['incident', id] as const,
  timeline: (id: string) => ['incident', id, 'timeline'] as const,
  alerts: (id: string) => ['incident', id, 'alerts'] as const,
  warRoom: (id: string) => ['incident', id, 'war-room'] as const,
  chat: (id: string) => ['incident', id, 'chat'] as const,
  statusUpdates: (id: string) => ['incident', id, 'status-updates'] as const,
  severityLevels: ['severity-levels'] as const,
  internalStatus: ['status-internal'] as const,
  schedules: ['schedules'] as const,
  schedule: (id: string) => ['schedule', id] as const,
  oncall: ['oncall'] as const,
  /** Everything the escalation preview reads about every user. */
  reachability: ['reachability'] as const,
};

/** The app's query client: live updates keep data fresh, so no refetch on focus and no polling. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 60_000,
        refetchOnWindowFocus: false,
        retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}

export const useUsers = () => useQuery({ queryKey: keys.users, queryFn: api.users.list });
export const useTeams = () => useQuery({ queryKey: keys.teams, queryFn: api.teams.list });
export const usePolicies = () => useQuery({ queryKey: keys.policies, queryFn: api.policies.list });
export const useSchedules = (enabled = true) => useQuery({ queryKey: keys.schedules, queryFn: api.schedules.list, enabled });
export const useServices = () => useQuery({ queryKey: keys.services, queryFn: api.services.list });
export const useContactMethods = (userId: string | undefined) =>
  useQuery({ queryKey: keys.contactMethods(userId ?? ''), queryFn: () => api.contactMethods.list(userId!), enabled: !!userId });
export const useRules = (userId: string | undefined) => useQuery({ queryKey: keys.rules(userId ?? ''), queryFn: () => api.notificationRules.list(userId!), enabled: !!userId });

/** Invalidates several keys at once. */
export function invalidate(qc: QueryClient, ...list: QueryKey[]): Promise<void> {
  return Promise.all(list.map((queryKey) => qc.invalidateQueries({ queryKey }))).then(() => undefined);
}
