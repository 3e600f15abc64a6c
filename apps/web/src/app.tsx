import { Button, Center, Loader, Stack, Text } from '@mantine/core';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { QueryClient } from '@tanstack/react-query';
import { api, errorMessage, forgetPrefetched, prefetchGets } from './api/client.ts';
import type { User } from '@klaxon/contract';
import { clearFirstRun, isFirstRun } from './lib/first-run.ts';
import { liveConnection } from './live/live.ts';
import { PHONE_QUERY } from './lib/phone.ts';
import { SessionGate } from './session.tsx';
import { Shell } from './shell.tsx';

// Every screen is its own chunk: the first screen loads only the shell and the incident list.
const SignedOut = lazy(() => import('./pages/signed-out.tsx'));
const loadIncidents = () => import('./pages/incidents.tsx');
const loadIncidentPage = () => import('./pages/incident.tsx');
const Incidents = lazy(loadIncidents);
const IncidentPage = lazy(loadIncidentPage);
const Services = lazy(() => import('./pages/services.tsx'));
const ServicePage = lazy(() => import('./pages/service.tsx'));
const Policies = lazy(() => import('./pages/policies.tsx'));
const PolicyPage = lazy(() => import('./pages/policy.tsx'));
const Me = lazy(() => import('./pages/me.tsx'));
const Users = lazy(() => import('./pages/users.tsx'));
const Teams = lazy(() => import('./pages/teams.tsx'));
// The setup checklist (first-run setup lands here) and the admin area.
const SetupPage = lazy(() => import('./pages/setup.tsx'));
const AdminPage = lazy(() => import('./pages/admin.tsx'));
const AdminMigration = lazy(() => import('./pages/admin-migration.tsx'));
const EventRules = lazy(() => import('./pages/event-rules.tsx'));
const AdminAudit = lazy(() => import('./pages/admin-audit.tsx'));
const AdminProvisioning = lazy(() => import('./pages/admin-provisioning.tsx'));

const spinner = (
  <Center h="60vh">
    <Loader />
  </Center>
);

function Page({ children }: { children: ReactNode }) {
  return <Suspense fallback={spinner}>{children}</Suspense>;
}

// Screens loaded on first visit.
const Schedules = lazy(() => import('./pages/schedules.tsx'));
const SchedulePage = lazy(() => import('./pages/schedule.tsx'));
const ScheduleEdit = lazy(() => import('./pages/schedule-edit.tsx'));
const InternalStatus = lazy(() => import('./pages/status-internal.tsx'));
// Status pages, business services, subscriptions, maintenance (nested routes inside).
const StatusAdmin = lazy(() => import('./pages/status-admin.tsx'));
// Reports with charts, and postmortems (nested routes inside each).
const Reports = lazy(() => import('./pages/reports.tsx'));
const Postmortems = lazy(() => import('./pages/postmortems.tsx'));

/**
 * Starts loading the chunk of the screen at `path` at once (main.tsx calls it before the first
 * render), so it arrives while the session is asked for instead of after it: the screens a page is
 * opened on (the list, an incident from a page or a link). Other screens load when routed to.
 */
export function preloadScreen(path: string): void {
  if (path === '/' || path === '/incidents') void loadIncidents().catch(() => undefined);
  else if (path.startsWith('/incidents/')) void loadIncidentPage().catch(() => undefined);
}

/**
 * Sends the incident list's requests as soon as the session is known (main.tsx), so they travel
 * while the shell and the list's code are still being drawn, not after: the plain list only
 * (`/incidents`, `?view=` at most), with the page's default filter (open incidents, "Mine" for a
 * responder); any other filter is the list's own to ask for. The live connection starts with them
 * and drops them at its first event, so nothing that changed meanwhile is shown stale.
 */
export function prefetchScreenData(qc: QueryClient, user: User): void {
  const { pathname, search } = window.location;
  const params = new URLSearchParams(search);
  if ((pathname !== '/' && pathname !== '/incidents') || [...params.keys()].some((k) => k !== 'view')) return;
  const mine = (params.get('view') ?? (user.role === 'responder' ? 'mine' : 'all')) === 'mine';
  const live = liveConnection(qc);
  live.subscribe(forgetPrefetched);
  live.start();
  prefetchGets(() => {
    void api.incidents.list({ status: ['triggered', 'acknowledged'], ...(mine && { mine: true }), limit: 100 });
    void api.services.list();
    void api.teams.list();
    void api.warRoom.severityLevels();
    // On a phone the filters are folded, and everyone (for the assignee filter) loads when they are
    // opened (pages/incidents.tsx).
    if (!window.matchMedia(PHONE_QUERY).matches) void api.users.list();
  });
}

/** "/": the incident list, or the setup checklist once right after first-run setup. */
function Home() {
  const [to] = useState(() => (isFirstRun() ? '/setup' : '/incidents'));
  useEffect(() => clearFirstRun(), []);
  return <Navigate to={to} replace />;
}

/** The whole app: sign-in or setup when signed out, the shell and its screens when signed in. */
export function App() {
  return (
    <SessionGate
      loading={spinner}
      failed={(retry, error) => (
        <Center h="80vh" p="md">
          <Stack align="center">
            <Text>{errorMessage(error)}</Text>
            <Button onClick={retry}>Try again</Button>
          </Stack>
        </Center>
      )}
      signedOut={(setSession) => (
        <Page>
          <SignedOut onSignedIn={setSession} />
        </Page>
      )}
    >
      <Shell>
        <Routes>
          <Route
            path="/schedules"
            element={
              <Page>
                <Schedules />
              </Page>
            }
          />
          <Route
            path="/schedules/new"
            element={
              <Page>
                <ScheduleEdit />
              </Page>
            }
          />
          <Route
            path="/schedules/:id"
            element={
              <Page>
                <SchedulePage />
              </Page>
            }
          />
          <Route
            path="/schedules/:id/edit"
            element={
              <Page>
                <ScheduleEdit />
              </Page>
            }
          />
          <Route path="/" element={<Home />} />
          <Route
            path="/incidents"
            element={
              <Page>
                <Incidents />
              </Page>
            }
          />
          <Route
            path="/incidents/:ref"
            element={
              <Page>
                <IncidentPage />
              </Page>
            }
          />
          <Route
            path="/incidents/:ref/war-room"
            element={
              <Page>
                <IncidentPage />
              </Page>
            }
          />
          <Route
            path="/internal-status"
            element={
              <Page>
                <InternalStatus />
              </Page>
            }
          />
          <Route
            path="/status-admin/*"
            element={
              <Page>
                <StatusAdmin />
              </Page>
            }
          />
          <Route
            path="/reports/*"
            element={
              <Page>
                <Reports />
              </Page>
            }
          />
          <Route
            path="/postmortems/*"
            element={
              <Page>
                <Postmortems />
              </Page>
            }
          />
          <Route
            path="/services"
            element={
              <Page>
                <Services />
              </Page>
            }
          />
          <Route
            path="/services/:id"
            element={
              <Page>
                <ServicePage />
              </Page>
            }
          />
          <Route
            path="/escalation-policies"
            element={
              <Page>
                <Policies />
              </Page>
            }
          />
          <Route
            path="/escalation-policies/:id"
            element={
              <Page>
                <PolicyPage />
              </Page>
            }
          />
          <Route path="/people" element={<Navigate to="/people/me" replace />} />
          <Route
            path="/people/me"
            element={
              <Page>
                <Me />
              </Page>
            }
          />
          <Route
            path="/people/users"
            element={
              <Page>
                <Users />
              </Page>
            }
          />
          <Route
            path="/people/teams"
            element={
              <Page>
                <Teams />
              </Page>
            }
          />
          <Route
            path="/setup"
            element={
              <Page>
                <SetupPage />
              </Page>
            }
          />
          <Route
            path="/admin"
            element={
              <Page>
                <AdminPage />
              </Page>
            }
          />
          <Route
            path="/admin/event-rules"
            element={
              <Page>
                <EventRules />
              </Page>
            }
          />
          <Route
            path="/admin/audit"
            element={
              <Page>
                <AdminAudit />
              </Page>
            }
          />
          <Route
            path="/admin/provisioning"
            element={
              <Page>
                <AdminProvisioning />
              </Page>
            }
          />
          <Route
            path="/admin/migration"
            element={
              <Page>
                <AdminMigration />
              </Page>
            }
          />
          <Route
            path="*"
            element={
              <Text p="md">
                Nothing here. <a href="/incidents">Go to incidents</a>
              </Text>
            }
          />
        </Routes>
      </Shell>
    </SessionGate>
  );
}
