import { Anchor, Badge, Card, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { setupApi, type CompareResult, type ImportSummary, type MigrationRun } from '../api/setup.ts';
import { PageHeader, QueryState } from '../components/bits.tsx';
import { useViewerZone } from '../lib/zone.tsx';
import { MarkdownView } from '../postmortems/markdown-view.tsx';
import './admin-migration.css';
import { keys } from '../api/keys.ts';

/** A UTC minute, as `klaxon compare` prints it: 2026-12-08 09:00Z. */
const utc = (t: number) => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')}Z`;
const people = (emails: readonly string[]) => (emails.length ? emails.join(', ') : 'nobody');

function RunHeader({ run, what }: { run: MigrationRun; what: string }) {
  const zone = useViewerZone();
  return (
    <Group gap="xs" wrap="wrap">
      <Badge variant="light">{run.source}</Badge>
      <Text size="sm" c="dimmed" style={{ wordBreak: 'break-all' }}>
        {run.sourceUrl}
      </Text>
      <Text size="sm" c="dimmed">
        · {what} {zone.dateTime(run.createdAt)}
      </Text>
    </Group>
  );
}

function LastImport({ run }: { run: MigrationRun }) {
  const s = (run.summary ?? {}) as ImportSummary;
  const counts = Object.entries(s.counts ?? {});
  return (
    <Card withBorder radius="md" p="md" data-testid="last-import">
      <Stack gap="sm">
        <Title order={3} fz="lg">
          Last import
        </Title>
        <RunHeader run={run} what="applied" />
        {counts.length > 0 && (
          <Group gap={6} wrap="wrap" data-testid="import-counts">
            {counts.map(([k, n]) => (
              <Badge key={k} variant="outline" color="gray">
                {k}: {n}
              </Badge>
            ))}
          </Group>
        )}
        <Text size="sm" fw={600} c={run.differences ? 'orange' : 'green'}>
          {run.differences ? `${run.differences} item${run.differences === 1 ? '' : 's'} not imported exactly: see the report` : 'Everything imported as it was'}
        </Text>
        <div className="klx-migration-report">
          <MarkdownView text={run.report} testId="import-report" />
        </div>
      </Stack>
    </Card>
  );
}

function LastCompare({ run }: { run: MigrationRun }) {
  const r = run.summary as CompareResult;
  return (
    <Card withBorder radius="md" p="md" data-testid="last-compare" data-differences={r.differences}>
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap">
          <Title order={3} fz="lg">
            Last comparison
          </Title>
          <Badge color={r.differences ? 'red' : 'green'} size="lg" variant="filled" data-testid="compare-differences">
            {r.differences ? `${r.differences} differ${r.differences === 1 ? 's' : ''}` : 'No differences'}
          </Badge>
        </Group>
        <RunHeader run={run} what="compared" />
        <Text size="sm" c="dimmed">
          On call from {utc(r.from)} to {utc(r.to)}; escalation as of {utc(r.at)}. Differences are highlighted.
        </Text>

        <Title order={4} fz="md">
          Who is on call
        </Title>
        {r.schedules.length === 0 && <Text c="dimmed">No schedules compared.</Text>}
        {r.schedules.map((s) => (
          <Stack key={s.schedule} gap={6} data-testid="compare-schedule" data-name={s.schedule} data-match={s.inKlaxon && s.differences.length === 0}>
            <Group gap="xs">
              <Text fw={700}>{s.schedule}</Text>
              {!s.inKlaxon ? (
                <Badge color="red">not in Klaxon</Badge>
              ) : s.differences.length ? (
                <Badge color="red" variant="light">
                  {s.differences.length} span{s.differences.length === 1 ? '' : 's'} differ
                </Badge>
              ) : (
                <Badge color="green" variant="light">
                  same for the whole span
                </Badge>
              )}
            </Group>
            {s.differences.map((d) => (
              <div key={`${d.start}-${d.end}`} className="klx-diff" data-testid="oncall-diff">
                <Text size="sm" fw={700}>
                  {utc(d.start)} → {utc(d.end)}
                </Text>
                <Text size="sm" style={{ wordBreak: 'break-word' }}>
                  {run.source}: <b>{people(d.source)}</b>
                </Text>
                <Text size="sm" style={{ wordBreak: 'break-word' }}>
                  Klaxon: <b>{people(d.klaxon)}</b>
                </Text>
              </div>
            ))}
            {s.notes.map((n) => (
              <Text key={n} size="xs" c="dimmed">
                {n}
              </Text>
            ))}
          </Stack>
        ))}

        <Title order={4} fz="md">
          Who each level pages now
        </Title>
        {r.services.length === 0 && <Text c="dimmed">No services compared.</Text>}
        {r.services.map((s) => {
          const differs = new Set(s.differences.map((d) => d.level));
          return (
            <Stack key={s.service} gap={6} data-testid="compare-service" data-name={s.service}>
              <Group gap="xs">
                <Text fw={700}>{s.service}</Text>
                {!s.inKlaxon && <Badge color="red">not in Klaxon</Badge>}
                {s.inKlaxon &&
                  (differs.size ? (
                    <Badge color="red" variant="light">
                      {differs.size} level{differs.size === 1 ? '' : 's'} differ
                    </Badge>
                  ) : (
                    <Badge color="green" variant="light">
                      same
                    </Badge>
                  ))}
              </Group>
              {s.levels.length > 0 && (
                <Table withTableBorder layout="fixed" verticalSpacing={6} fz="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w={56}>Level</Table.Th>
                      <Table.Th>{run.source}</Table.Th>
                      <Table.Th>Klaxon</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {s.levels.map((l) => (
                      <Table.Tr key={l.level} className={differs.has(l.level) ? 'klx-diff-row' : undefined} data-testid="level-row" data-level={l.level} data-differs={differs.has(l.level)}>
                        <Table.Td>{l.level}</Table.Td>
                        <Table.Td style={{ wordBreak: 'break-word' }}>{people(l.source)}</Table.Td>
                        <Table.Td style={{ wordBreak: 'break-word' }}>{people(l.klaxon)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Stack>
          );
        })}
      </Stack>
    </Card>
  );
}

/**
 * The admin area's migration screen: the last applied import's report (Markdown, rendered as the
 * postmortem screen renders it) and the last comparison with the source, differences highlighted.
 */
export default function AdminMigration() {
  const q = useQuery({ queryKey: keys.setup.migration, queryFn: setupApi.migration, staleTime: 0 });
  return (
    <>
      <Anchor component={Link} to="/admin" size="sm">
        ← Admin
      </Anchor>
      <PageHeader title="Migration" />
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data && !q.data.lastImport && !q.data.lastCompare && (
          <Card withBorder radius="md" p="md" data-testid="migration-empty">
            <Text>Nothing has been imported or compared yet.</Text>
            <Text size="sm" c="dimmed" mt={6}>
              Run <Code>klaxon import</Code> to bring schedules, escalation and services over from another tool, then <Code>klaxon compare</Code> during the parallel run; their results show here
              (docs/migrate.md).
            </Text>
          </Card>
        )}
        {q.data && (
          <Stack gap="lg">
            {q.data.lastCompare && <LastCompare run={q.data.lastCompare} />}
            {q.data.lastImport && <LastImport run={q.data.lastImport} />}
          </Stack>
        )}
      </QueryState>
    </>
  );
}
