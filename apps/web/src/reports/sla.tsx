import { BarChart } from '@mantine/charts';
import { ActionIcon, Anchor, Badge, Button, Group, NumberInput, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { Segmented } from '../components/segmented.tsx';
import { useQuery } from '@tanstack/react-query';
import { IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, errorMessage } from '../api/client.ts';
import { keys, useServices } from '../api/queries.ts';
import { useDeleteTarget, usePutTarget, useSla, useSlaTargets, type ReportQuery, type SlaTarget } from '../api/reports.ts';
import { SEVERITIES } from '@klaxon/contract/lists';
import { FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { useSession } from '../session.tsx';
import { DataTable, DrillLink, ExportLinks, Figure, Section } from './common.tsx';
import { drillHref, duration, percent, periodRange, type ReportFilters } from './filters.ts';

type Period = 'day' | 'week' | 'month';
const TARGET_NAME = { ack: 'Acknowledge', resolve: 'Resolve', update: 'First update' } as const;
const MAX_MINUTES = 525_600;

/** SLA: attainment per period (chart), every breach with its incident, and the targets per severity. */
export function Sla({ filters, query }: { filters: ReportFilters; query: ReportQuery }) {
  const [params, setParams] = useSearchParams();
  const period = (['day', 'week', 'month'].includes(params.get('period') ?? '') ? params.get('period') : 'week') as Period;
  const sla = useSla(query, period);
  const navigate = useNavigate();
  const d = sla.data;
  const range = d ? { from: d.from, to: d.to } : { from: 0, to: 0 };
  const periodHref = (p: string) => {
    const r = periodRange(p, period);
    return r ? drillHref(range, filters, `SLA ${period} of ${p}`, r) : drillHref(range, filters, 'SLA');
  };
  const ids = (target?: string) => [...new Set((d?.breaches ?? []).filter((b) => !target || b.target === target).map((b) => b.incidentId))];
  const breachHref = (target?: 'ack' | 'resolve' | 'update') =>
    ids(target).length ? drillHref(range, filters, target ? `SLA breaches: ${TARGET_NAME[target].toLowerCase()}` : 'SLA breaches', { ids: ids(target) }) : undefined;
  const allBreaches = breachHref();
  return (
    <>
      <Group mb="sm" justify="space-between">
        <Segmented
          value={period}
          onChange={(v) => {
            const next = new URLSearchParams(params);
            if (v === 'week') next.delete('period');
            else next.set('period', v);
            setParams(next, { replace: true });
          }}
          data={[
            { value: 'day', label: 'Day' },
            { value: 'week', label: 'Week' },
            { value: 'month', label: 'Month' },
          ]}
          data-testid="sla-period"
        />
      </Group>
      <QueryState isPending={sla.isPending} error={sla.error} retry={() => void sla.refetch()}>
        {d && (
          <>
            <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" mb="md">
              <Figure label="Judged incidents" value={d.total.incidents} hint="with a target" to={drillHref(range, filters, 'SLA: incidents in range')} testId="sla-incidents" />
              <Figure label="Acknowledge" value={percent(d.total.ackAttainment)} hint={`${d.total.ackMet} met · ${d.total.ackBreached} breached`} to={breachHref('ack')} testId="sla-ack" />
              <Figure
                label="Resolve"
                value={percent(d.total.resolveAttainment)}
                hint={`${d.total.resolveMet} met · ${d.total.resolveBreached} breached`}
                to={breachHref('resolve')}
                testId="sla-resolve"
              />
              <Figure
                label="First update"
                value={percent(d.total.updateAttainment)}
                hint={d.updatesKnown ? `${d.total.updateMet} met · ${d.total.updateBreached} breached` : 'not known'}
                to={breachHref('update')}
                testId="sla-update"
              />
            </SimpleGrid>
            <Section title={`Attainment per ${period}`} testId="sla-periods" actions={<ExportLinks report="sla" query={{ ...query, period }} table="periods" />}>
              {d.periods.length ? (
                <BarChart
                  h={220}
                  data={d.periods.map((p) => ({ period: period === 'month' ? p.period : p.period.slice(5), Acknowledge: p.ackAttainment, Resolve: p.resolveAttainment, href: periodHref(p.period) }))}
                  dataKey="period"
                  series={[
                    { name: 'Acknowledge', color: 'yellow.6' },
                    { name: 'Resolve', color: 'blue.6' },
                  ]}
                  yAxisProps={{ domain: [0, 100], width: 40 }}
                  unit="%"
                  withLegend
                  tickLine="none"
                  gridAxis="y"
                  barProps={{ cursor: 'pointer', onClick: (x: { payload?: { href?: string } }) => x.payload?.href && navigate(x.payload.href) }}
                  data-testid="chart-sla"
                  maxBarWidth={48}
                  mb="sm"
                />
              ) : null}
              <DataTable
                testId="sla-periods-table"
                empty="No incident in this range has an SLA target: set one below."
                head={['Period', 'Incidents', 'Acknowledge', 'Resolve', 'First update']}
                rows={d.periods.map((p) => [
                  p.period,
                  <DrillLink to={periodHref(p.period)}>{p.incidents}</DrillLink>,
                  `${percent(p.ackAttainment)} (${p.ackBreached} missed)`,
                  `${percent(p.resolveAttainment)} (${p.resolveBreached} missed)`,
                  d.updatesKnown ? percent(p.updateAttainment) : '—',
                ])}
              />
            </Section>
            <Section
              title={`Breaches (${d.breaches.length})`}
              testId="sla-breaches"
              actions={
                <>
                  {allBreaches && (
                    <Button component={Link} to={allBreaches} size="compact-sm" variant="subtle" data-testid="breaches-list">
                      In the incident list
                    </Button>
                  )}
                  <ExportLinks report="sla" query={{ ...query, period }} table="breaches" />
                </>
              }
            >
              <DataTable
                testId="breaches-table"
                empty="No breaches."
                head={['Incident', 'Severity', 'Target', 'Limit', 'Took']}
                rows={d.breaches.map((b) => [
                  <Anchor component={Link} to={`/incidents/${b.number}`}>
                    #{b.number} {b.title.length > 40 ? `${b.title.slice(0, 40)}…` : b.title}
                  </Anchor>,
                  b.severity,
                  TARGET_NAME[b.target],
                  duration(b.withinMs),
                  <>
                    {duration(b.actualMs)}{' '}
                    {b.open && (
                      <Badge size="xs" color="red">
                        running
                      </Badge>
                    )}
                  </>,
                ])}
              />
            </Section>
          </>
        )}
      </QueryState>
      <Targets />
    </>
  );
}

const mins = (ms: number | null) => duration(ms);

function Targets() {
  const { isAdmin } = useSession();
  const targets = useSlaTargets();
  const services = useServices();
  const serviceName = new Map((services.data ?? []).map((s) => [s.id, s.name]));
  const remove = useDeleteTarget();
  return (
    <Section title="SLA targets per severity" testId="sla-targets">
      <QueryState isPending={targets.isPending} error={targets.error} retry={() => void targets.refetch()}>
        <DataTable
          testId="targets-table"
          empty="No targets yet."
          head={['Severity', 'Service', 'Acknowledge within', 'Resolve within', 'First update within', 'Warn before', '']}
          rows={(targets.data ?? []).map((t: SlaTarget) => [
            <b>{t.severity}</b>,
            t.serviceId ? (serviceName.get(t.serviceId) ?? t.serviceId) : 'every service',
            mins(t.ackWithinMs),
            mins(t.resolveWithinMs),
            mins(t.updateWithinMs),
            duration(t.warnBeforeMs),
            isAdmin ? (
              <ActionIcon variant="subtle" color="red" aria-label={`Remove the ${t.severity} target`} onClick={() => remove.mutate(t.id)} loading={remove.isPending && remove.variables === t.id}>
                <IconTrash size={16} />
              </ActionIcon>
            ) : null,
          ])}
        />
        {remove.error && <FormAlert message={errorMessage(remove.error)} />}
      </QueryState>
      {isAdmin ? (
        <TargetForm />
      ) : (
        <Text size="sm" c="dimmed" mt="sm">
          Admins set SLA targets.
        </Text>
      )}
    </Section>
  );
}

function TargetForm() {
  const services = useServices();
  const levels = useQuery({ queryKey: keys.severityLevels, queryFn: api.warRoom.severityLevels, staleTime: 300_000, retry: false });
  const put = usePutTarget();
  const errors = useFormErrors();
  const blank = { severity: '' as string, service: '' as string, ack: '' as number | string, resolve: '' as number | string, update: '' as number | string, warn: 5 as number | string };
  const [v, setV] = useState(blank);
  const num = (x: number | string) => (x === '' ? null : Number(x));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    // The API's rules, checked here first so the message sits by the field.
    let ok = true;
    if (!v.severity) {
      errors.setField('severity', 'Pick a severity');
      ok = false;
    }
    for (const [k, path] of [
      ['ack', 'ackWithinMinutes'],
      ['resolve', 'resolveWithinMinutes'],
      ['update', 'updateWithinMinutes'],
    ] as const) {
      const n = num(v[k]);
      if (n !== null && (!(n >= 0) || n > MAX_MINUTES)) {
        errors.setField(path, `Between 0 and ${MAX_MINUTES} minutes`);
        ok = false;
      }
    }
    const w = num(v.warn);
    if (w !== null && (!(w >= 0) || w > 10_080)) {
      errors.setField('warnBeforeMinutes', 'Between 0 and 10080 minutes');
      ok = false;
    }
    if (!ok) return;
    put.mutate(
      // Unset limits are left out rather than sent as null: the server's query coercion reads a JSON null as 0 minutes.
      {
        severity: v.severity,
        ...(v.service && { service: v.service }),
        ...(num(v.ack) !== null && { ackWithinMinutes: num(v.ack) }),
        ...(num(v.resolve) !== null && { resolveWithinMinutes: num(v.resolve) }),
        ...(num(v.update) !== null && { updateWithinMinutes: num(v.update) }),
        ...(w !== null && { warnBeforeMinutes: w }),
      },
      { onSuccess: () => setV(blank), onError: errors.set },
    );
  };
  const severities = [...(levels.data ?? []).map((l) => l.name), ...SEVERITIES];
  return (
    <form onSubmit={submit} noValidate data-testid="target-form">
      <Text size="sm" fw={600} mt="md" mb="xs">
        Set a target (replaces the one for the same severity and service)
      </Text>
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
          <Select
            label="Severity"
            data={severities}
            value={v.severity || null}
            onChange={(s) => setV({ ...v, severity: s ?? '' })}
            error={errors.field('severity')}
            required
            searchable
            data-testid="target-severity"
          />
          <Select
            label="Service"
            placeholder="Every service"
            data={(services.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={v.service || null}
            onChange={(s) => setV({ ...v, service: s ?? '' })}
            error={errors.field('service')}
            clearable
            searchable
          />
          <NumberInput label="Acknowledge (min)" min={0} max={MAX_MINUTES} value={v.ack} onChange={(x) => setV({ ...v, ack: x })} error={errors.field('ackWithinMinutes')} data-testid="target-ack" />
          <NumberInput
            label="Resolve (min)"
            min={0}
            max={MAX_MINUTES}
            value={v.resolve}
            onChange={(x) => setV({ ...v, resolve: x })}
            error={errors.field('resolveWithinMinutes')}
            data-testid="target-resolve"
          />
          <NumberInput label="First update (min)" min={0} max={MAX_MINUTES} value={v.update} onChange={(x) => setV({ ...v, update: x })} error={errors.field('updateWithinMinutes')} />
          <NumberInput label="Warn before (min)" min={0} max={10_080} value={v.warn} onChange={(x) => setV({ ...v, warn: x })} error={errors.field('warnBeforeMinutes')} />
        </SimpleGrid>
        <FormAlert message={errors.message} />
        <Button type="submit" loading={put.isPending} w="fit-content" data-testid="target-save">
          Save target
        </Button>
      </Stack>
    </form>
  );
}
