import { keepPreviousData, QueryClient, useQuery, type QueryKey } from '@tanstack/react-query';
import { ApiError, api } from './client.ts';
import { keys } from './keys.ts';
import { useMemo } from 'react';
import { must } from '../lib/must.ts';

/** The query keys live in keys.ts; screens import them from here or there. */
export { keys };

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

export const useUsers = (enabled = true) => useQuery({ queryKey: keys.users, queryFn: api.users.list, enabled });
export const useTeams = () => useQuery({ queryKey: keys.teams, queryFn: api.teams.list });
export const usePolicies = () => useQuery({ queryKey: keys.policies, queryFn: api.policies.list });
export const useSchedules = (enabled = true) => useQuery({ queryKey: keys.schedules, queryFn: api.schedules.list, enabled });
export const useServices = () => useQuery({ queryKey: keys.services, queryFn: api.services.list });
export const useContactMethods = (userId: string | undefined) =>
  useQuery({ queryKey: keys.contactMethods(userId ?? ''), queryFn: () => api.contactMethods.list(must(userId, 'the person')), enabled: !!userId });
export const useRules = (userId: string | undefined) => useQuery({ queryKey: keys.rules(userId ?? ''), queryFn: () => api.notificationRules.list(must(userId, 'the person')), enabled: !!userId });

/** Invalidates several keys at once. */
export function invalidate(qc: QueryClient, ...list: QueryKey[]): Promise<void> {
  return Promise.all(list.map((queryKey) => qc.invalidateQueries({ queryKey }))).then(() => undefined);
}

/**
 * The names of the users of `ids`: from the whole directory when this screen or another already
 * loaded it, else from GET /users?ids= for just these people (a phone showing twenty incidents need
 * not download ten thousand users). While more ids are asked for, the names known so far stay.
 */
export function useUserNames(ids: readonly string[]): Map<string, string> {
  const directory = useQuery({ queryKey: keys.users, queryFn: api.users.list, enabled: false });
  const wanted = [...new Set(ids)].sort().slice(0, 500);
  const some = useQuery({
    queryKey: keys.usersNamed(wanted),
    queryFn: ({ signal }) => api.users.named(wanted, signal),
    enabled: !directory.data && wanted.length > 0,
    placeholderData: keepPreviousData,
  });
  const list = directory.data ?? some.data;
  return useMemo(() => new Map((list ?? []).map((u) => [u.id, u.name])), [list]);
}
