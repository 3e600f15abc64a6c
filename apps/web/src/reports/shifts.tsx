import { BarChart } from '@mantine/charts';
import { Text } from '@mantine/core';

import { useNavigate } from 'react-router-dom';
import { DAY_PARTS, useShifts, type ReportQuery } from '../api/reports.ts';
import { QueryState } from '../components/bits.tsx';
import { DataTable, DrillLink, ExportLinks, Section } from './common.tsx';
import { drillHref, duration, minutes, type ReportFilters } from './filters.ts';
import { usePhone } from '../lib/phone.ts';

const PART_LABEL = { business: 'Business hours', evening: 'Evenings', night: 'Nights', weekend: 'Weekends' } as const;
const PART_COLOR = { business: 'teal.6', evening: 'yellow.6', night: 'indigo.6', weekend: 'grape.6' } as const;
const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const hours = (h: number) => (Math.round(h * 10) / 10).toString();

/** Shifts and time zones: pages per responder by part of the week in their zone, MTTA by hour and shift, on-call hours. */
export function Shifts({ filters, query }: { filters: ReportFilters; query: ReportQuery }) {
  const shifts = useShifts(query);
  const navigate = useNavigate();
  const phone = usePhone();
  const d = shifts.data;
  const range = d ? { from: d.from, to: d.to } : { from: 0, to: 0 };
  const acked = (name: string, id: string) => drillHref(range, filters, `Acknowledged by ${name}`, { acknowledgedBy: id });
  const click = { cursor: 'pointer', onClick: (x: { payload?: { href?: string } }) => x.payload?.href && navigate(x.payload.href) };
  return (
    <QueryState isPending={shifts.isPending} error={shifts.error} retry={() => void shifts.refetch()}>
      {d && (
        <>
          <Section title="Pages per responder" testId="shift-pages" actions={<ExportLinks report="shifts" query={query} table="pagesByResponder" />}>
            <Text size="xs" c="dimmed" mb="xs">
              At local time in each person's own zone: business hours are weekdays 09–18, evenings 18–22, nights 22–09.
            </Text>
            {d.pagesByResponder.length > 0 && (
              <BarChart
                h={Math.max(140, d.pagesByResponder.slice(0, 15).length * 34 + 60)}
                data={d.pagesByResponder.slice(0, 15).map((r) => ({ name: truncate(r.name, phone ? 14 : 24), ...Object.fromEntries(DAY_PARTS.map((p) => [p, r[p]])), href: acked(r.name, r.userId) }))}
                dataKey="name"
                type="stacked"
                orientation="vertical"
                yAxisProps={{ width: phone ? 100 : 160 }}
                series={DAY_PARTS.map((p) => ({ name: p, color: PART_COLOR[p], label: PART_LABEL[p] }))}
                withLegend
                tickLine="none"
                gridAxis="x"
                barProps={click}
                data-testid="chart-pages"
                maxBarWidth={36}
                mb="sm"
              />
            )}
            <DataTable
              testId="pages-table"
              head={['Responder', 'Zone', 'Pages', 'Business', 'Evenings', 'Nights', 'Weekends', 'Interruptions']}
              rows={d.pagesByResponder.map((r) => [<DrillLink to={acked(r.name, r.userId)}>{r.name}</DrillLink>, r.timeZone, r.pages, r.business, r.evening, r.night, r.weekend, r.interruptions])}
            />
            <Text size="xs" c="dimmed" mt={4}>
              A name lists the incidents that person acknowledged in the range.
            </Text>
          </Section>
          <Section title="MTTA by hour of day" testId="shift-hours" actions={<ExportLinks report="shifts" query={query} table="mttaByHour" />}>
            <Text size="xs" c="dimmed" mb="xs">
              The hour the incident opened, in the acknowledger's zone. Minutes.
            </Text>
            <BarChart
              h={200}
              data={d.mttaByHour.map((h) => ({
                hour: String(h.hour).padStart(2, '0'),
                MTTA: minutes(h.mtta),
                acknowledged: h.acknowledged,
                href: drillHref(range, filters, 'Acknowledged incidents (every hour)', { acknowledged: true }),
              }))}
              dataKey="hour"
              series={[{ name: 'MTTA', color: 'yellow.6' }]}
              valueFormatter={(v) => `${v} min`}
              tickLine="none"
              gridAxis="y"
              xAxisProps={{ interval: phone ? 3 : 1 }}
              yAxisProps={{ width: 64 }}
              barProps={click}
              data-testid="chart-hours"
            />
          </Section>
          <Section title="MTTA by shift" testId="shift-shifts" actions={<ExportLinks report="shifts" query={query} table="mttaByShift" />}>
            <DataTable
              testId="by-shift-table"
              head={['Zone', 'Shift', 'Acknowledged', 'MTTA', 'p50', 'p90']}
              rows={d.mttaByShift.map((s) => [s.timeZone, PART_LABEL[s.shift], s.acknowledged, duration(s.mtta), duration(s.p50), duration(s.p90)])}
            />
          </Section>
          <Section title="On-call hours and interruptions" testId="shift-oncall" actions={<ExportLinks report="shifts" query={query} table="onCall" />}>
            <DataTable
              testId="oncall-table"
              head={['Person', 'On call (h)', 'Business', 'Evenings', 'Nights', 'Weekends', 'Pages', 'Off hours', 'Interruptions']}
              rows={d.onCall.map((o) => [
                <DrillLink to={acked(o.name, o.userId)}>{o.name}</DrillLink>,
                hours(o.onCallHours.total),
                hours(o.onCallHours.business),
                hours(o.onCallHours.evening),
                hours(o.onCallHours.night),
                hours(o.onCallHours.weekend),
                o.pages,
                o.offHoursPages,
                o.interruptions,
              ])}
            />
          </Section>
        </>
      )}
    </QueryState>
  );
}
