import { Badge, Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { statusApi, useTemplates } from '../api/status.ts';
import type { StatusPhase } from '@klaxon/contract';
import { FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';

const PHASES: { value: StatusPhase; label: string }[] = [
  { value: 'investigating', label: 'Investigating' },
  { value: 'identified', label: 'Identified' },
  { value: 'monitoring', label: 'Monitoring' },
  { value: 'resolved', label: 'Resolved' },
];

const useSeverityLevels = () => useQuery({ queryKey: keys.severityLevels, queryFn: api.warRoom.severityLevels, staleTime: 300_000 });

function TemplateForm() {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const levels = useSeverityLevels().data ?? [];
  const [v, setV] = useState({ phase: 'investigating' as StatusPhase, sev: null as string | null, body: '' });
  const m = useMutation({
    mutationFn: () => statusApi.createTemplate({ phase: v.phase, sev: v.sev, body: v.body }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.status.templates });
      notifications.show({ message: 'Template added', autoClose: 2500 });
      setV({ ...v, body: '' });
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (!v.body.trim()) return errors.setField('body', 'Required');
    m.mutate();
  };
  return (
    <Card withBorder radius="md" p="md">
      <form onSubmit={submit} noValidate data-testid="template-form">
        <Stack gap="sm">
          <Text fw={700}>New template</Text>
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <Select label="Phase" data={PHASES} value={v.phase} onChange={(p) => p && setV({ ...v, phase: p as StatusPhase })} allowDeselect={false} error={errors.field('phase')} />
            <Select label="Severity level" placeholder="Any level" clearable data={levels.map((l) => l.name)} value={v.sev} onChange={(sev) => setV({ ...v, sev })} error={errors.field('sev')} />
          </SimpleGrid>
          <Textarea
            label="Text"
            description="Placeholders: {{title}}, {{services}} (affected business services), {{impact}}, {{sev}}"
            autosize
            minRows={3}
            value={v.body}
            onChange={(e) => setV({ ...v, body: e.currentTarget.value })}
            error={errors.field('body')}
            maxLength={10_000}
            data-testid="template-body"
          />
          <FormAlert message={errors.message} />
          <Button type="submit" loading={m.isPending} style={{ alignSelf: 'flex-start' }} data-testid="save-template">
            Add template
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function IntervalForm() {
  const errors = useFormErrors();
  const levels = useSeverityLevels().data ?? [];
  const [v, setV] = useState({ sev: null as string | null, minutes: '' as number | string });
  const m = useMutation({
    mutationFn: () => statusApi.setUpdateInterval(v.sev ?? '', v.minutes === '' ? null : Number(v.minutes)),
    onSuccess: () => notifications.show({ message: v.minutes === '' ? `No reminders for ${v.sev}` : `${v.sev}: an update is due every ${v.minutes} min`, autoClose: 3000 }),
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (!v.sev) return errors.setField('sev', 'Choose a level');
    m.mutate();
  };
  return (
    <Card withBorder radius="md" p="md">
      <form onSubmit={submit} noValidate data-testid="interval-form">
        <Stack gap="sm">
          <Text fw={700}>Update reminders</Text>
          <Text size="sm" c="dimmed">
            The incident manager is reminded when no update was posted for this long (defaults: SEV1 30 min, SEV2 60, SEV3 240, SEV4 1440). Leave minutes empty to turn reminders off.
          </Text>
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <Select label="Severity level" data={levels.map((l) => l.name)} value={v.sev} onChange={(sev) => setV({ ...v, sev })} error={errors.field('sev')} />
            <NumberInput label="Minutes between updates" min={1} max={10_080} allowDecimal={false} value={v.minutes} onChange={(minutes) => setV({ ...v, minutes })} error={errors.field('minutes')} />
          </SimpleGrid>
          <FormAlert message={errors.message} />
          <Button type="submit" variant="light" loading={m.isPending} style={{ alignSelf: 'flex-start' }}>
            Save interval
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

/** Status-update templates per phase and severity level, and reminder intervals. */
export default function TemplatesTab({ isAdmin }: { isAdmin: boolean }) {
  const q = useTemplates();
  return (
    <Stack>
      <Text c="dimmed" maw={640}>
        A status update posted without a message uses the newest template for its phase and the incident’s severity level, else one for any level, else a built-in text.
      </Text>
      {isAdmin && <TemplateForm />}
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && <Text c="dimmed">No templates yet: built-in texts are used.</Text>}
        {PHASES.map((p) => {
          const list = (q.data ?? []).filter((t) => t.phase === p.value);
          if (!list.length) return null;
          return (
            <Stack key={p.value} gap="xs">
              <Title order={4}>{p.label}</Title>
              {list.map((t) => (
                <Card key={t.id} withBorder radius="md" p="sm" data-testid="template-row">
                  <Group gap="xs" mb={4}>
                    <Badge variant="light" color={t.sev ? 'red' : 'gray'}>
                      {t.sev ?? 'any level'}
                    </Badge>
                  </Group>
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {t.body}
                  </Text>
                </Card>
              ))}
            </Stack>
          );
        })}
      </QueryState>
      {isAdmin && <IntervalForm />}
    </Stack>
  );
}
