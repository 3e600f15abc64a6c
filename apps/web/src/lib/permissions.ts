import { useMemo } from 'react';
import type { Service, Team, User } from '@klaxon/contract';
import { useServices, useTeams } from '../api/queries.ts';
import { useSession } from '../session.tsx';

/** What the server lets a person do (docs/permissions.md): `manage` configuration, `respond` to incidents and act on schedules. */
export type Ability = 'manage' | 'respond';

/** The abilities of `user` given every team (with members and their team roles) and every service. */
export function permissionsOf(user: Pick<User, 'id' | 'role'>, teams: Team[], services: Pick<Service, 'id' | 'teamId'>[]) {
  const access = new Map<string, 'admin' | 'responder'>();
  for (const t of teams) {
    const me = t.members.find((m) => m.userId === user.id);
    if (me?.access) access.set(t.id, me.access);
  }
  const can = (ability: Ability, teamId?: string | null): boolean => {
    if (user.role === 'admin') return true;
    if (ability === 'respond' && user.role === 'responder') return true;
    const mine = teamId ? access.get(teamId) : undefined;
    return mine === 'admin' || (ability === 'respond' && mine === 'responder');
  };
  const teamOfService = (serviceId: string) => services.find((s) => s.id === serviceId)?.teamId ?? null;
  return {
    can,
    canOnService: (ability: Ability, serviceId: string) => can(ability, teamOfService(serviceId)),
    /** True when the person is an admin of some team (or a global admin). */
    managesSomething: user.role === 'admin' || [...access.values()].includes('admin'),
    teamAccess: access,
  };
}

/**
 * The signed-in person's abilities, from their global role and their team roles (the members of
 * the teams they are in). `can(ability, teamId)` answers for an object of that team (null or
 * undefined: an object of no team); `canOnService` for an incident of that service. The server
 * checks again: this only hides or disables what would be refused.
 */
export function usePermissions() {
  const { user } = useSession();
  const teams = useTeams();
  const services = useServices();
  return useMemo(() => permissionsOf(user, teams.data ?? [], services.data ?? []), [teams.data, services.data, user]);
}
