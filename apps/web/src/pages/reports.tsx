import '@mantine/charts/styles.css';
import { Button, Tabs } from '@mantine/core';

import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { Link } from 'react-router-dom';
import { PageHeader } from '../components/bits.tsx';
import { Aggregates } from '../reports/aggregates.tsx';
import { FilterBar } from '../reports/common.tsx';
import { useReportFilters } from '../reports/filters.ts';
import { Noise } from '../reports/noise.tsx';
import { Overview } from '../reports/overview.tsx';
import { Shifts } from '../reports/shifts.tsx';
import { Sla } from '../reports/sla.tsx';
import { WeeklySummary } from '../reports/subscribers.tsx';
import { usePhone } from '../lib/phone.ts';

const TABS = [
  { path: 'overview', label: 'Overview' },
  { path: 'sla', label: 'SLA' },
  { path: 'aggregates', label: 'Aggregates' },
  { path: 'noise', label: 'Noise' },
  { path: 'shifts', label: 'Shifts & time zones', short: 'Shifts' },
  { path: 'weekly', label: 'Weekly summary', short: 'Weekly' },
] as { path: string; label: string; short?: string }[];

/** Reports: tabs of figures and charts under shared filters kept in the URL; every figure drills down to its incidents. */
export default function Reports() {
  const { filters, query, set, search } = useReportFilters();
  const location = useLocation();
  const navigate = useNavigate();
  const sub = location.pathname.replace(/^\/reports\/?/, '').split('/')[0] ?? '';
  const current = TABS.some((t) => t.path === sub) ? sub : 'overview';
  const props = { filters, query };
  const phone = usePhone();
  return (
    <>
      <PageHeader title="Reports">
        <Button component={Link} to="/postmortems" variant="subtle" size="sm">
          Postmortems
        </Button>
      </PageHeader>
      <Tabs value={current} onChange={(v) => navigate(`/reports${v && v !== 'overview' ? `/${v}` : ''}${search}`)} mb="md" data-testid="report-tabs">
        <Tabs.List style={{ flexWrap: 'nowrap', overflowX: 'auto', overflowY: 'hidden' }}>
          {TABS.map((t) => (
            <Tabs.Tab key={t.path} value={t.path} style={{ whiteSpace: 'nowrap' }}>
              {phone ? (t.short ?? t.label) : t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      {current !== 'weekly' && <FilterBar filters={filters} set={set} />}
      <Routes>
        <Route index element={<Overview {...props} />} />
        <Route path="overview" element={<Overview {...props} />} />
        <Route path="sla" element={<Sla {...props} />} />
        <Route path="aggregates" element={<Aggregates {...props} />} />
        <Route path="noise" element={<Noise {...props} />} />
        <Route path="shifts" element={<Shifts {...props} />} />
        <Route path="weekly" element={<WeeklySummary filters={filters} setTeam={(team) => set({ team })} />} />
        <Route path="*" element={<Navigate to="/reports" replace />} />
      </Routes>
    </>
  );
}
