import { Badge, Button, Card, Group, NumberInput, Paper, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { Segmented } from '../components/segmented.tsx';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPencil, IconPhoneCall, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { Hotline } from '@klaxon/contract';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { CopyBlock, QueryState } from '../components/bits.tsx';
import { FormDialog } from '../components/form-dialog.tsx';
import { duration } from '../lib/duration.ts';
import { useFormErrors } from '../lib/form.ts';
import { ago, dateTime } from '../lib/time.ts';
import { useSession } from '../session.tsx';
import { must } from '../lib/must.ts';

type Draft = { name: string; provider: Hotline['provider']; number: string; ringSeconds: number | ''; allowedCallers: string; enabled: boolean };

/** The dialog to add or change a hotline (admins); changing one can also delete it (asked twice, in the dialog). */
function HotlineDialog({ serviceId, hl, onClose }: { serviceId: string; hl?: Hotline; onClose: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [sure, setSure] = useState(false);
  const [v, setV] = useState<Draft>({
    name: hl?.name ?? '',
    provider: hl?.provider ?? 'twilio',
    number: hl?.number ?? '',
    ringSeconds: hl?.ringSeconds ?? 20,
    allowedCallers: (hl?.allowedCallers ?? []).join('\n'),
    enabled: hl?.enabled ?? true,
  });
  const done = () => {
    void qc.invalidateQueries({ queryKey: keys.hotlines(serviceId) });
    onClose();
  };
  const save = useMutation({
    mutationFn: () => {
      const input = {
        name: v.name.trim(),
        provider: v.provider,
        number: v.number.trim(),
        ringSeconds: v.ringSeconds === '' ? 0 : v.ringSeconds,
        allowedCallers: v.allowedCallers
          .split(/[\n,;]+/)
          .map((x) => x.trim())
          .filter(Boolean),
        enabled: v.enabled,
      };
      return hl ? api.hotlines.update(serviceId, hl.id, input) : api.hotlines.create(serviceId, input);
    },
    onSuccess: done,
    onError: errors.set,
  });
  const remove = useMutation({ mutationFn: () => api.hotlines.remove(serviceId, must(hl, 'the hotline').id), onSuccess: done, onError: errors.set });
  // The API names the entry that is not a number (allowedCallers.3); shown under the list.
  const allowErr = errors.field('allowedCallers') ?? Array.from({ length: 500 }, (_, i) => errors.field(`allowedCallers.${i}`)).find(Boolean);
  return (
    <FormDialog
      onClose={onClose}
      title={hl ? `Hotline ${hl.name}` : 'Add a hotline number'}
      errors={errors}
      onSubmit={() => save.mutate()}
      submitLabel={hl ? 'Save' : 'Add hotline'}
      pending={save.isPending}
      submitTestId="save-hotline"
      formTestId="hotline-form"
      actions={
        hl && (
          <Button
            variant={sure ? 'filled' : 'subtle'}
            color="red"
            leftSection={<IconTrash size={16} />}
            loading={remove.isPending}
            onClick={() => (sure ? remove.mutate() : setSure(true))}
            data-testid="delete-hotline"
          >
            {sure ? `Really delete ${hl.name}?` : 'Delete'}
          </Button>
        )
      }
    >
      <TextInput label="Name" placeholder="Support line" value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} data-testid="hotline-name" />
      <Segmented
        aria-label="Provider"
        data={[
          { value: 'twilio', label: 'Twilio' },
          { value: 'vonage', label: 'Vonage' },
        ]}
        value={v.provider}
        onChange={(x) => setV({ ...v, provider: x as Hotline['provider'] })}
        data-testid="hotline-provider"
      />
      <TextInput
        label="Phone number"
        description="The number callers dial, with + and the country code"
        placeholder="+44 20 7946 0000"
        inputMode="tel"
        value={v.number}
        onChange={(e) => setV({ ...v, number: e.currentTarget.value })}
        error={errors.field('number')}
        data-testid="hotline-number"
      />
      <NumberInput
        label="Ring each person for (seconds)"
        min={5}
        max={120}
        value={v.ringSeconds}
        onChange={(n) => setV({ ...v, ringSeconds: n === '' ? '' : Number(n) })}
        error={errors.field('ringSeconds')}
        data-testid="hotline-ring"
      />
      <Textarea
        label="Callers allowed (optional)"
        description="One number per line; empty: anyone may call. Others hear a polite refusal and nothing opens."
        autosize
        minRows={2}
        value={v.allowedCallers}
        onChange={(e) => setV({ ...v, allowedCallers: e.currentTarget.value })}
        error={allowErr}
        data-testid="hotline-allowed"
      />
      <Switch label="Enabled" checked={v.enabled} onChange={(e) => setV({ ...v, enabled: e.currentTarget.checked })} />
    </FormDialog>
  );
}

function HotlineRow({ hl, onEdit }: { hl: Hotline; onEdit: () => void }) {
  const { isAdmin } = useSession();
  return (
    <Card withBorder radius="md" data-testid="hotline">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <div style={{ minWidth: 0 }}>
          <Group gap={8} wrap="wrap">
            <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
              {hl.name}
            </Text>
            <Text ff="monospace" data-testid="hotline-number-shown">
              {hl.number}
            </Text>
            <Badge variant="light">{hl.provider === 'vonage' ? 'Vonage' : 'Twilio'}</Badge>
            {!hl.enabled && <Badge color="gray">Disabled</Badge>}
          </Group>
          <Text size="sm" c="dimmed">
            rings each person on call for {duration(hl.ringSeconds * 1000)} ·{' '}
            {hl.allowedCallers.length ? `${hl.allowedCallers.length} allowed caller${hl.allowedCallers.length === 1 ? '' : 's'}` : 'anyone may call'}
          </Text>
          <Text size="sm" data-testid="hotline-calls">
            {hl.callsTaken} call{hl.callsTaken === 1 ? '' : 's'} taken, {hl.callsRefused} refused
            {hl.lastCallAt !== null && ` · last ${dateTime(hl.lastCallAt)} (${ago(hl.lastCallAt)})`}
          </Text>
        </div>
        {isAdmin && (
          <Button variant="subtle" size="md" leftSection={<IconPencil size={16} />} onClick={onEdit} data-testid="edit-hotline">
            Edit
          </Button>
        )}
      </Group>
    </Card>
  );
}

/** A service's hotline numbers: what each does for everyone; add, change and delete for admins (in a FormDialog). */
export function ServiceHotlines({ serviceId }: { serviceId: string }) {
  const { isAdmin } = useSession();
  const q = useQuery({ queryKey: keys.hotlines(serviceId), queryFn: () => api.hotlines.list(serviceId) });
  const [editing, setEditing] = useState<Hotline | 'new' | null>(null);
  return (
    <Stack gap="sm" data-testid="service-hotlines">
      <Group gap={8}>
        <IconPhoneCall size={22} />
        <Title order={3}>Hotline numbers</Title>
      </Group>
      <Text c="dimmed" size="sm">
        A call to a hotline number opens an incident on this service and rings the people on call on its escalation policy, one after another, until one answers (docs/integrations.md, Hotline number).
      </Text>
      <QueryState isPending={q.isPending} error={q.error}>
        <Stack>
          {q.data?.map((hl) => (
            <HotlineRow key={hl.id} hl={hl} onEdit={() => setEditing(hl)} />
          ))}
          {q.data?.length === 0 && <Text c="dimmed">No hotline numbers.</Text>}
          {isAdmin &&
            [...new Map((q.data ?? []).map((h) => [h.provider, h.webhookUrl])).entries()].map(([provider, url]) => (
              <Paper key={provider} withBorder p="sm" radius="md">
                <CopyBlock
                  label={
                    provider === 'vonage'
                      ? 'Answer URL of the Vonage application the numbers are linked to (GET or POST; signed webhooks)'
                      : 'Voice webhook of every hotline number at Twilio (A call comes in: Webhook, HTTP POST)'
                  }
                  value={url}
                  testId={`hotline-webhook-${provider}`}
                  wrap
                />
              </Paper>
            ))}
        </Stack>
      </QueryState>
      {isAdmin && (
        <Button variant="light" leftSection={<IconPlus size={18} />} onClick={() => setEditing('new')} w="fit-content" size="md" data-testid="add-hotline">
          Add a hotline number
        </Button>
      )}
      {editing && <HotlineDialog serviceId={serviceId} hl={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
