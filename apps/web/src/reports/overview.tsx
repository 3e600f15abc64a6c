import { BarChart, LineChart } from '@mantine/charts';
import { SimpleGrid, Text } from '@mantine/core';
import { useNavigate } from 'react-router-dom';
import { useAggregates, useSla, useTrends, type Change } from '../api/reports.ts';
import { QueryState } from '../components/bits.tsx';
import { DataTable, DrillLink, ExportLinks, Figure, Section } from './common.tsx';
import { drillHref, duration, minutes, percent, type ReportFilters } from './filters.ts';
import type { ReportQuery } from '../api/reports.ts';

const WEEK = 7 * 86_400_000;

/** "+3 (+50%)" / "−2 min (−20%)": the change from the week before. */
export function changeText(c: Change, kind: 'count' | 'duration'): string {
  if (c.delta === null) return '—';
  const sign = c.delta > 0 ? '+' : c.delta < 0 ? '−' : '±';
  const abs = kind === 'count' ? String(Math.abs(c.delta)) : duration(Math.abs(c.delta));
  return `${sign}${abs}${c.percent === null ? '' : ` (${c.percent > 0 ? '+' : ''}${c.percent}%)`}`;
}

const shortWeek = (w: string) => w.slice(5);

/** Overview: counts, MTTA/MTTR with p50/p90, SLA attainment, and each measure week over week. */
export function Overview({ filters, query }: { filters: ReportFilters; query: ReportQuery }) {
  const agg = useAggregates(query, 'team');
  const sla = useSla(query, 'week');
  const trends = useTrends(query, 8);
  const navigate = useNavigate();
  const a = agg.data;
  const t = a?.total;
  const range = a ? { from: a.from, to: a.to } : { from: 0, to: 0 };
  const drill = (label: string, d = {}) => drillHref(range, filters, label, d);
  const breachIds = [...new Set((sla.data?.breaches ?? []).map((b) => b.incidentId))];
  return (
    <>
      <QueryState isPending={agg.isPending} error={agg.error} retry={() => void agg.refetch()}>
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm" mb="md" data-testid="overview-figures">
          <Figure label="Incidents" value={t?.incidents ?? 0} hint={`${t?.alerts ?? 0} alerts`} to={drill('Incidents')} testId="fig-incidents" />
          <Figure
            label="MTTA"
            value={duration(t?.mtta)}
            hint={`p50 ${duration(t?.ttaP50)} · p90 ${duration(t?.ttaP90)}`}
            to={drill('MTTA: acknowledged incidents', { acknowledged: true })}
            testId="fig-mtta"
          />
          <Figure
            label="MTTR"
            value={duration(t?.mttr)}
            hint={`p50 ${duration(t?.ttrP50)} · p90 ${duration(t?.ttrP90)}`}
            to={drill('MTTR: resolved incidents', { status: 'resolved' })}
            testId="fig-mttr"
          />
          <Figure label="Acknowledged" value={t?.acknowledged ?? 0} hint={`${t?.resolved ?? 0} resolved`} to={drill('Acknowledged incidents', { acknowledged: true })} testId="fig-acknowledged" />
          <Figure
            label="Resolved without action"
            value={t?.resolvedWithoutAction ?? 0}
            hint="never acknowledged"
            to={drill('Resolved without action', { status: 'resolved', acknowledged: false })}
            testId="fig-no-action"
          />
          <Figure
            label="SLA attainment"
            value={sla.data ? percent(sla.data.total.ackAttainment) : '…'}
            hint={sla.data ? `resolve ${percent(sla.data.total.resolveAttainment)} · ${sla.data.breaches.length} breaches` : undefined}
            to={breachIds.length ? drillHref(range, filters, 'SLA breaches', { ids: breachIds }) : undefined}
            testId="fig-sla"
          />
        </SimpleGrid>
      </QueryState>
      <Section title="Week over week" testId="trends" actions={<ExportLinks report="trends" query={{ ...query, weeks: 8 }} table="weeks" />}>
        <QueryState isPending={trends.isPending} error={trends.error} retry={() => void trends.refetch()}>
          {trends.data && (
            <>
              <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" mb="sm">
                <div>
                  <Text size="sm" fw={600} mb={4}>
                    Incidents per week
                  </Text>
                  <BarChart
                    h={200}
                    data={trends.data.weeks.map((w) => ({
                      week: shortWeek(w.week),
                      incidents: w.incidents.value ?? 0,
                      href: drillHref({ from: w.start, to: w.start + WEEK }, filters, `Week of ${w.week}`),
                    }))}
                    dataKey="week"
                    series={[{ name: 'incidents', color: 'red.6', label: 'Incidents' }]}
                    tickLine="none"
                    gridAxis="y"
                    barProps={{ cursor: 'pointer', onClick: (d: { payload?: { href?: string } }) => d.payload?.href && navigate(d.payload.href) }}
                    data-testid="chart-trend-incidents"
                    maxBarWidth={48}
                  />
                </div>
                <div>
                  <Text size="sm" fw={600} mb={4}>
                    MTTA and MTTR per week (minutes)
                  </Text>
                  <LineChart
                    h={200}
                    data={trends.data.weeks.map((w) => ({ week: shortWeek(w.week), MTTA: minutes(w.mtta.value), MTTR: minutes(w.mttr.value) }))}
                    dataKey="week"
                    series={[
                      { name: 'MTTA', color: 'yellow.6' },
                      { name: 'MTTR', color: 'blue.6' },
                    ]}
                    connectNulls
                    withLegend
                    tickLine="none"
                    gridAxis="y"
                    data-testid="chart-trend-times"
                  />
                </div>
              </SimpleGrid>
              <DataTable
                testId="trends-table"
                head={['Week of', 'Incidents', 'Change', 'MTTA', 'Change', 'MTTR', 'Change', 'No action']}
                rows={[...trends.data.weeks].reverse().map((w) => {
                  const to = drillHref({ from: w.start, to: w.start + WEEK }, filters, `Week of ${w.week}`);
                  return [
                    w.week,
                    <DrillLink to={to}>{w.incidents.value ?? 0}</DrillLink>,
                    changeText(w.incidents, 'count'),
                    <DrillLink to={drillHref({ from: w.start, to: w.start + WEEK }, filters, `Week of ${w.week}: acknowledged`, { acknowledged: true })}>{duration(w.mtta.value)}</DrillLink>,
                    changeText(w.mtta, 'duration'),
                    <DrillLink to={drillHref({ from: w.start, to: w.start + WEEK }, filters, `Week of ${w.week}: resolved`, { status: 'resolved' })}>{duration(w.mttr.value)}</DrillLink>,
                    changeText(w.mttr, 'duration'),
                    w.resolvedWithoutAction.value ?? 0,
                  ];
                })}
              />
            </>
          )}
        </QueryState>
      </Section>
    </>
  );
}
