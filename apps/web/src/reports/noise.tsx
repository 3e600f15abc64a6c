import { BarChart } from '@mantine/charts';
import { SimpleGrid } from '@mantine/core';

import { useNavigate } from 'react-router-dom';
import { useServices } from '../api/queries.ts';
import { useNoise, type ReportQuery } from '../api/reports.ts';
import { QueryState } from '../components/bits.tsx';
import { DataTable, DrillLink, ExportLinks, Figure, Section } from './common.tsx';
import { drillHref, type ReportFilters } from './filters.ts';
import { usePhone } from '../lib/phone.ts';

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Noise: alerts per incident, resolved without action, flapping, the noisiest services and alerts. */
export function Noise({ filters, query }: { filters: ReportFilters; query: ReportQuery }) {
  const noise = useNoise(query);
  const navigate = useNavigate();
  const services = useServices();
  const phone = usePhone();
  const serviceName = new Map((services.data ?? []).map((s) => [s.id, s.name]));
  const d = noise.data;
  const range = d ? { from: d.from, to: d.to } : { from: 0, to: 0 };
  // Flapping drills down to its service when one service flaps (the list has no alert filter).
  const flapServices = [...new Set((d?.flapping ?? []).map((f) => f.serviceId))];
  const svc = (id: string, name: string, what = '') => drillHref(range, filters, `Service ${name}${what}`, { service: id });
  return (
    <QueryState isPending={noise.isPending} error={noise.error} retry={() => void noise.refetch()}>
      {d && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm" mb="md">
            <Figure label="Incidents" value={d.summary.incidents} to={drillHref(range, filters, 'Noise: incidents')} testId="noise-incidents" />
            <Figure label="Alerts" value={d.summary.alerts} to={drillHref(range, filters, 'Noise: incidents')} testId="noise-alerts" />
            <Figure label="Alerts per incident" value={d.summary.alertsPerIncident ?? '—'} to={drillHref(range, filters, 'Noise: incidents')} testId="noise-per-incident" />
            <Figure
              label="Resolved without action"
              value={d.summary.resolvedWithoutAction}
              hint="never acknowledged"
              to={drillHref(range, filters, 'Resolved without action', { status: 'resolved', acknowledged: false })}
              testId="noise-no-action"
            />
            <Figure
              label="Flapping alerts"
              value={d.summary.flappingAlerts}
              hint={`${d.summary.flaps} flaps within ${d.flapMinutes} min`}
              to={flapServices.length === 1 && flapServices[0] ? svc(flapServices[0], serviceName.get(flapServices[0]) ?? flapServices[0], ' (flapping alerts)') : undefined}
              testId="noise-flapping"
            />
          </SimpleGrid>
          <Section title="Noisiest services" testId="noise-services" actions={<ExportLinks report="noise" query={query} table="topServices" />}>
            {d.topServices.length > 0 && (
              <BarChart
                h={Math.max(140, d.topServices.length * 34 + 40)}
                data={d.topServices.map((s) => ({ service: truncate(s.serviceName, phone ? 14 : 28), alerts: s.alerts, incidents: s.incidents, href: svc(s.serviceId, s.serviceName) }))}
                dataKey="service"
                orientation="vertical"
                yAxisProps={{ width: phone ? 100 : 180 }}
                series={[
                  { name: 'alerts', color: 'orange.6', label: 'Alerts' },
                  { name: 'incidents', color: 'red.6', label: 'Incidents' },
                ]}
                withLegend
                tickLine="none"
                gridAxis="x"
                barProps={{ cursor: 'pointer', onClick: (x: { payload?: { href?: string } }) => x.payload?.href && navigate(x.payload.href) }}
                data-testid="chart-noise-services"
                maxBarWidth={28}
                mb="sm"
              />
            )}
            <DataTable
              testId="noise-services-table"
              head={['Service', 'Alerts', 'Incidents']}
              rows={d.topServices.map((s) => [s.serviceName, s.alerts, <DrillLink to={svc(s.serviceId, s.serviceName)}>{s.incidents}</DrillLink>])}
            />
          </Section>
          <Section title="Noisiest alerts" testId="noise-alerts-section" actions={<ExportLinks report="noise" query={query} table="topAlerts" />}>
            <DataTable
              testId="noise-alerts-table"
              head={['Alert', 'Service', 'Times raised', 'Events']}
              rows={d.topAlerts.map((a) => [
                truncate(a.summary || a.dedupKey, 48),
                <DrillLink to={svc(a.serviceId, a.serviceName, ` (alert ${a.dedupKey})`)}>{a.serviceName}</DrillLink>,
                a.count,
                a.events,
              ])}
            />
          </Section>
          <Section title="Flapping" testId="noise-flapping-section" actions={<ExportLinks report="noise" query={query} table="flapping" />}>
            <DataTable
              testId="noise-flapping-table"
              empty="No alert resolved and fired again within the flap window."
              head={['Dedup key', 'Service', 'Flaps']}
              rows={d.flapping.map((f) => [
                truncate(f.dedupKey, 48),
                <DrillLink to={svc(f.serviceId, serviceName.get(f.serviceId) ?? f.serviceId, ` (flapping ${f.dedupKey})`)}>{serviceName.get(f.serviceId) ?? f.serviceId}</DrillLink>,
                f.flaps,
              ])}
            />
          </Section>
        </>
      )}
    </QueryState>
  );
}
