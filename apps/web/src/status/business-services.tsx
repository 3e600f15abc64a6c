import { Badge, Button, Card, Group, MultiSelect, NumberInput, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client.ts';
import { useServices, useTeams } from '../api/queries.ts';
import { statusApi, useBusinessServices, type BusinessService } from '../api/status.ts';
import { FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { ConfirmButton, FormModal } from './bits.tsx';
import { keys } from '../api/keys.ts';

interface Draft {
  name: string;
  description: string;
  serviceIds: string[];
  teamId: string | null;
  position: number | string;
}

const empty: Draft = { name: '', description: '', serviceIds: [], teamId: null, position: 0 };

function BusinessServiceForm({ editing, onDone }: { editing: BusinessService | null; onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const services = useServices().data ?? [];
  const teams = useTeams().data ?? [];
  const [v, setV] = useState<Draft>(editing ? { name: editing.name, description: editing.description, serviceIds: editing.serviceIds, teamId: editing.teamId, position: editing.position } : empty);
  const m = useMutation({
    mutationFn: () => {
      const input = { name: v.name.trim(), description: v.description, serviceIds: v.serviceIds, teamId: v.teamId, position: typeof v.position === 'number' ? v.position : 0 };
      return editing ? statusApi.updateBusinessService(editing.id, input) : statusApi.createBusinessService(input);
    },
    onSuccess: (b) => {
      void qc.invalidateQueries({ queryKey: keys.status.businessServices });
      notifications.show({ message: `${b.name} saved`, autoClose: 2500 });
      onDone();
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (!v.name.trim()) return errors.setField('name', 'Required');
    m.mutate();
  };
  return (
    <form onSubmit={submit} noValidate data-testid="business-service-form">
      <Stack>
        <TextInput
          label="Name"
          description="As customers know it, e.g. Checkout"
          value={v.name}
          onChange={(e) => setV({ ...v, name: e.currentTarget.value })}
          error={errors.field('name')}
          required
          data-autofocus
          maxLength={200}
        />
        <Textarea
          label="Description"
          autosize
          minRows={2}
          value={v.description}
          onChange={(e) => setV({ ...v, description: e.currentTarget.value })}
          error={errors.field('description')}
          maxLength={2000}
        />
        <MultiSelect
          label="Technical services that support it"
          description="An incident on any of them affects this business service"
          data={services.map((s) => ({ value: s.id, label: s.name }))}
          value={v.serviceIds}
          onChange={(serviceIds) => setV({ ...v, serviceIds })}
          searchable
          error={errors.under('serviceIds')}
          data-testid="bs-services"
        />
        <Group grow align="flex-start">
          <Select
            label="Team"
            placeholder="None"
            clearable
            data={teams.map((t) => ({ value: t.id, label: t.name }))}
            value={v.teamId}
            onChange={(teamId) => setV({ ...v, teamId })}
            error={errors.field('teamId')}
          />
          <NumberInput
            label="Position"
            description="Order on status pages"
            min={0}
            max={1_000_000}
            allowDecimal={false}
            value={v.position}
            onChange={(position) => setV({ ...v, position })}
            error={errors.field('position')}
          />
        </Group>
        <FormAlert message={errors.message} />
        <Button type="submit" loading={m.isPending} data-testid="save-business-service">
          {editing ? 'Save business service' : 'Create business service'}
        </Button>
      </Stack>
    </form>
  );
}

/** Business services: list, create, edit, delete. */
export default function BusinessServicesTab({ isAdmin }: { isAdmin: boolean }) {
  const qc = useQueryClient();
  const q = useBusinessServices();
  const services = useServices().data ?? [];
  const teams = useTeams().data ?? [];
  const [form, setForm] = useState<{ editing: BusinessService | null } | null>(null);
  const del = useMutation({
    mutationFn: (b: BusinessService) => statusApi.deleteBusinessService(b.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.status.businessServices }),
    onError: (e) => notifications.show({ color: 'red', title: 'Could not delete', message: errorMessage(e) }),
  });
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Text c="dimmed" maw={640}>
          What customers and the business see. Each maps to the technical services that support it; status pages show business services as components.
        </Text>
        {isAdmin && (
          <Button leftSection={<IconPlus size={18} />} onClick={() => setForm({ editing: null })} data-testid="new-business-service">
            New business service
          </Button>
        )}
      </Group>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && <Text c="dimmed">No business services yet.</Text>}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {q.data?.map((b) => (
            <Card key={b.id} withBorder radius="md" data-testid="business-service-card">
              <Stack gap={6}>
                <Text fw={700} fz="lg">
                  {b.name}
                </Text>
                {b.description && (
                  <Text size="sm" c="dimmed" lineClamp={3}>
                    {b.description}
                  </Text>
                )}
                <Group gap={6}>
                  {b.serviceIds.length === 0 && (
                    <Text size="sm" c="orange">
                      No technical services: no incident affects it
                    </Text>
                  )}
                  {b.serviceIds.map((id) => (
                    <Badge key={id} variant="light" tt="none">
                      {services.find((s) => s.id === id)?.name ?? id}
                    </Badge>
                  ))}
                </Group>
                {b.teamId && (
                  <Text size="sm" c="dimmed">
                    Team {teams.find((t) => t.id === b.teamId)?.name ?? b.teamId}
                  </Text>
                )}
                {isAdmin && (
                  <Group gap="xs" mt={4}>
                    <Button variant="light" size="sm" onClick={() => setForm({ editing: b })}>
                      Edit
                    </Button>
                    <ConfirmButton size="sm" label="Delete" confirm={`Delete ${b.name}?`} onConfirm={() => del.mutate(b)} loading={del.isPending && del.variables?.id === b.id} />
                  </Group>
                )}
              </Stack>
            </Card>
          ))}
        </SimpleGrid>
      </QueryState>
      <FormModal opened={form !== null} onClose={() => setForm(null)} title={form?.editing ? `Edit ${form.editing.name}` : 'New business service'}>
        {form && <BusinessServiceForm editing={form.editing} onDone={() => setForm(null)} />}
      </FormModal>
    </Stack>
  );
}
