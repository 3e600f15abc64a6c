import { BarChart } from '@mantine/charts';
import { Group, Select, SimpleGrid, Text } from '@mantine/core';
import { Segmented } from '../components/segmented.tsx';

import { useNavigate, useSearchParams } from 'react-router-dom';
import { useAggregates, type AggregateRow, type GroupBy, type ReportQuery } from '../api/reports.ts';
import { QueryState } from '../components/bits.tsx';
import { DataTable, DrillLink, ExportLinks, Section } from './common.tsx';
import { drillHref, duration, minutes, rowDrill, type Drill, type ReportFilters } from './filters.ts';
import { usePhone } from '../lib/phone.ts';

const GROUPS: { value: GroupBy; label: string }[] = [
  { value: 'team', label: 'Team' },
  { value: 'service', label: 'Service' },
  { value: 'severity', label: 'Severity' },
  { value: 'responder', label: 'Responder' },
  { value: 'schedule', label: 'Schedule' },
];
const PERIODS = ['day', 'week', 'month'] as const;

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Aggregates: counts, MTTA/MTTR and percentiles by team, service, severity, responder, schedule or period. */
export function Aggregates({ filters, query }: { filters: ReportFilters; query: ReportQuery }) {
  const [params, setParams] = useSearchParams();
  const byParam = params.get('by') as GroupBy | null;
  const by: GroupBy = byParam && [...GROUPS.map((g) => g.value), ...PERIODS].includes(byParam) ? byParam : 'team';
  const isPeriod = (PERIODS as readonly string[]).includes(by);
  const agg = useAggregates(query, by);
  const navigate = useNavigate();
  const phone = usePhone();
  const setBy = (v: string) => {
    const next = new URLSearchParams(params);
    if (v === 'team') next.delete('by');
    else next.set('by', v);
    setParams(next, { replace: true });
  };
  const a = agg.data;
  const range = a ? { from: a.from, to: a.to } : { from: 0, to: 0 };
  const hrefOf = (r: AggregateRow, extra: Drill = {}, what = '') => {
    const d = rowDrill(by, r.key);
    return drillHref(range, filters, `${GROUPS.find((g) => g.value === by)?.label ?? by} ${r.label}${what}${d ? '' : ' (every incident in range: the list cannot narrow to a schedule)'}`, {
      ...(d ?? {}),
      ...extra,
    });
  };
  const rows = a?.rows ?? [];
  const chartRows = rows.slice(0, isPeriod ? 62 : 12).map((r) => ({
    label: isPeriod ? (by === 'month' ? r.label : r.label.slice(5)) : truncate(r.label, phone ? 14 : 24),
    incidents: r.incidents,
    MTTA: minutes(r.mtta),
    MTTR: minutes(r.mttr),
    href: hrefOf(r),
  }));
  const horizontal = !isPeriod;
  const chartH = horizontal ? Math.max(160, chartRows.length * 34 + 40) : 220;
  const click = { cursor: 'pointer', onClick: (x: { payload?: { href?: string } }) => x.payload?.href && navigate(x.payload.href) };
  return (
    <>
      <Group mb="sm" gap="sm" wrap="wrap">
        <Select label="Group by" data={GROUPS} value={isPeriod ? null : by} placeholder="Period" onChange={(v) => v && setBy(v)} w={160} data-testid="aggregate-by" />
        <div>
          <Text size="sm" fw={500} mb={2}>
            Period
          </Text>
          <Segmented value={isPeriod ? by : ''} onChange={setBy} data={PERIODS.map((p) => ({ value: p, label: p.charAt(0).toUpperCase() + p.slice(1) }))} data-testid="aggregate-period" />
        </div>
      </Group>
      <QueryState isPending={agg.isPending} error={agg.error} retry={() => void agg.refetch()}>
        {a && (
          <>
            <Section title={`Incidents by ${by}`} testId="aggregates" actions={<ExportLinks report="aggregates" query={{ ...query, by }} table="rows" />}>
              {chartRows.length > 0 && (
                <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" mb="sm">
                  <BarChart
                    h={chartH}
                    data={chartRows}
                    dataKey="label"
                    orientation={horizontal ? 'vertical' : 'horizontal'}
                    yAxisProps={horizontal ? { width: phone ? 100 : 160 } : { width: 32 }}
                    aria-label={`Incidents by ${by}`}
                    series={[{ name: 'incidents', color: 'red.6', label: 'Incidents' }]}
                    tickLine="none"
                    gridAxis={horizontal ? 'x' : 'y'}
                    barProps={click}
                    data-testid="chart-aggregates"
                    maxBarWidth={36}
                  />
                  <BarChart
                    h={chartH}
                    data={chartRows}
                    dataKey="label"
                    orientation={horizontal ? 'vertical' : 'horizontal'}
                    yAxisProps={horizontal ? { width: phone ? 100 : 160 } : { width: 40 }}
                    xAxisLabel={horizontal ? 'MTTA and MTTR (minutes)' : undefined}
                    yAxisLabel={horizontal ? undefined : 'Minutes'}
                    series={[
                      { name: 'MTTA', color: 'yellow.6' },
                      { name: 'MTTR', color: 'blue.6' },
                    ]}
                    valueFormatter={(v) => `${v} min`}
                    withLegend
                    tickLine="none"
                    gridAxis={horizontal ? 'x' : 'y'}
                    barProps={click}
                    data-testid="chart-aggregates-times"
                  />
                </SimpleGrid>
              )}
              <DataTable
                testId="aggregates-table"
                head={[GROUPS.find((g) => g.value === by)?.label ?? 'Period', 'Incidents', 'Alerts', 'MTTA', 'TTA p50 / p90', 'MTTR', 'TTR p50 / p90', 'Alerts per incident', 'No action']}
                rows={[...rows, ...(a.total ? [a.total] : [])].map((r) => {
                  const total = r === a.total;
                  const href = (extra: Drill = {}, what = '') => (total ? drillHref(range, filters, `All incidents${what}`, extra) : hrefOf(r, extra, what));
                  return [
                    total ? <b>All</b> : r.label,
                    <DrillLink to={href()} testId={`agg-incidents-${total ? 'all' : r.key}`}>
                      {r.incidents}
                    </DrillLink>,
                    r.alerts,
                    <DrillLink to={href({ acknowledged: true }, ': acknowledged')}>{duration(r.mtta)}</DrillLink>,
                    `${duration(r.ttaP50)} / ${duration(r.ttaP90)}`,
                    <DrillLink to={href({ status: 'resolved' }, ': resolved')}>{duration(r.mttr)}</DrillLink>,
                    `${duration(r.ttrP50)} / ${duration(r.ttrP90)}`,
                    r.alertsPerIncident ?? '—',
                    <DrillLink to={href({ status: 'resolved', acknowledged: false }, ': resolved without action')}>{r.resolvedWithoutAction}</DrillLink>,
                  ];
                })}
              />
            </Section>
          </>
        )}
      </QueryState>
    </>
  );
}
