import { Anchor, Button, Card, Checkbox, Collapse, Group, Paper, ScrollArea, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';

import { IconDownload, IconFilter } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useServices, useTeams } from '../api/queries.ts';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { SEVERITIES } from '@klaxon/contract/lists';
import { exportUrl } from '../api/reports.ts';
import { utcDate, type ReportFilters } from './filters.ts';
import { usePhone } from '../lib/phone.ts';

const DAY = 86_400_000;

/** The report filters: date range (UTC days), team, service, severity, drills. They live in the URL. */
export function FilterBar({ filters, set, range }: { filters: ReportFilters; set: (p: Partial<ReportFilters>) => void; range?: { from: number; to: number } }) {
  const teams = useTeams();
  const services = useServices();
  const levels = useQuery({ queryKey: keys.severityLevels, queryFn: api.warRoom.severityLevels, staleTime: 300_000, retry: false });
  const severities = [...(levels.data ?? []).map((l) => l.name), ...SEVERITIES];
  const phone = usePhone();
  const [open, setOpen] = useState(false);
  const active = [
    filters.team && (teams.data?.find((t) => t.id === filters.team)?.name ?? 'team'),
    filters.service && (services.data?.find((x) => x.id === filters.service)?.name ?? 'service'),
    filters.severity,
    filters.drills && 'drills',
  ].filter(Boolean) as string[];
  const rangeLabel = range ? `${utcDate(range.from)} – ${utcDate(range.to - 1)} (UTC)` : filters.from || filters.to ? `${filters.from || '30 days before'} – ${filters.to || 'now'}` : 'Last 30 days';
  const last = (days: number) => {
    const today = Date.now();
    set({ from: utcDate(today - (days - 1) * DAY), to: utcDate(today) });
  };
  return (
    <Paper withBorder p="sm" radius="md" mb="md" data-testid="report-filters">
      {phone && (
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Text size="sm" style={{ minWidth: 0 }} truncate>
            {rangeLabel}
            {active.length ? ` · ${active.join(' · ')}` : ''}
          </Text>
          <Button size="compact-sm" variant="light" leftSection={<IconFilter size={14} />} onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="filters-toggle">
            Filters{active.length ? ` (${active.length})` : ''}
          </Button>
        </Group>
      )}
      <Collapse expanded={!phone || open}>
        <SimpleGrid mt={phone ? 'sm' : 0} cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
          <TextInput
            type="date"
            label="From"
            value={filters.from}
            max={filters.to || undefined}
            onChange={(e) => set({ from: e.currentTarget.value })}
            placeholder={range ? utcDate(range.from) : ''}
            data-testid="filter-from"
          />
          <TextInput type="date" label="To" value={filters.to} min={filters.from || undefined} onChange={(e) => set({ to: e.currentTarget.value })} data-testid="filter-to" />
          <Select
            label="Team"
            placeholder="All teams"
            data={(teams.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
            value={filters.team || null}
            onChange={(v) => set({ team: v ?? '' })}
            clearable
            searchable
            data-testid="filter-team"
          />
          <Select
            label="Service"
            placeholder="All services"
            data={(services.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={filters.service || null}
            onChange={(v) => set({ service: v ?? '' })}
            clearable
            searchable
            data-testid="filter-service"
          />
          <Select label="Severity" placeholder="Any" data={severities} value={filters.severity || null} onChange={(v) => set({ severity: v ?? '' })} clearable data-testid="filter-severity" />
          <Stack gap={6} justify="flex-end">
            <Checkbox label="Include drills" checked={filters.drills} onChange={(e) => set({ drills: e.currentTarget.checked })} data-testid="filter-drills" />
          </Stack>
        </SimpleGrid>
        <Group gap="xs" mt="xs" wrap="wrap">
          {!phone && (
            <Text size="sm" c="dimmed" data-testid="report-range">
              {rangeLabel}
            </Text>
          )}
          {[7, 30, 90].map((d) => (
            <Button key={d} size="compact-sm" variant="subtle" onClick={() => last(d)}>
              {d} days
            </Button>
          ))}
          {(filters.from || filters.to || filters.team || filters.service || filters.severity || filters.drills) && (
            <Button size="compact-sm" variant="subtle" color="gray" onClick={() => set({ from: '', to: '', team: '', service: '', severity: '', drills: false })}>
              Clear filters
            </Button>
          )}
        </Group>
      </Collapse>
    </Paper>
  );
}

/** One figure: a big number with a label, linking to the incidents behind it. */
export function Figure({ label, value, hint, to, testId }: { label: string; value: ReactNode; hint?: ReactNode; to?: string; testId?: string }) {
  const body = (
    <Card withBorder radius="md" padding="sm" h="100%" className={to ? 'klx-figure klx-figure-link' : 'klx-figure'}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={{ base: 22, sm: 26 }} fw={700} lh={1.2} data-testid={testId && `${testId}-value`}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
  return to ? (
    <Link to={to} style={{ textDecoration: 'none', color: 'inherit' }} data-testid={testId} title={`${label}: show the incidents`}>
      {body}
    </Link>
  ) : (
    <div data-testid={testId}>{body}</div>
  );
}

/** A titled block with optional export links on the right. */
export function Section({ title, children, actions, testId }: { title: string; children: ReactNode; actions?: ReactNode; testId?: string }) {
  return (
    <Paper withBorder radius="md" p={{ base: 'xs', sm: 'md' }} mb="md" data-testid={testId} style={{ scrollMarginTop: 72 }}>
      <Group justify="space-between" mb="sm" gap="xs">
        <Title order={3} fz="lg">
          {title}
        </Title>
        {actions && <Group gap={4}>{actions}</Group>}
      </Group>
      {children}
    </Paper>
  );
}

/** CSV and JSON download links of one table of a report, through the server's export. */
export function ExportLinks({ report, query, table }: { report: string; query: object; table: string }) {
  return (
    <>
      <Button component="a" href={exportUrl(report, query, 'csv', table)} download size="compact-sm" variant="light" leftSection={<IconDownload size={14} />} data-testid={`export-csv-${table}`}>
        CSV
      </Button>
      <Button component="a" href={exportUrl(report, query, 'json')} download size="compact-sm" variant="subtle" leftSection={<IconDownload size={14} />} data-testid={`export-json-${table}`}>
        JSON
      </Button>
    </>
  );
}

/** A table that scrolls sideways on a phone rather than squeezing its columns. */
export function DataTable({ head, rows, testId, empty = 'Nothing in this range.' }: { head: ReactNode[]; rows: ReactNode[][]; testId?: string; empty?: string }) {
  if (!rows.length)
    return (
      <Text c="dimmed" size="sm" py="sm" data-testid={testId && `${testId}-empty`}>
        {empty}
      </Text>
    );
  return (
    <ScrollArea type="auto" offsetScrollbars>
      <Table striped highlightOnHover verticalSpacing={6} fz="sm" data-testid={testId} style={{ whiteSpace: 'nowrap' }}>
        <Table.Thead>
          <Table.Tr>
            {head.map((h, i) => (
              <Table.Th key={i}>{h}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            <Table.Tr key={i}>
              {r.map((c, j) => (
                <Table.Td key={j}>{c}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}

/** A cell that links to the incidents behind it. */
export function DrillLink({ to, children, testId }: { to: string; children: ReactNode; testId?: string }) {
  return (
    <Anchor component={Link} to={to} data-testid={testId}>
      {children}
    </Anchor>
  );
}
