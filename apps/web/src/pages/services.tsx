import { Button, Card, Group, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys, usePolicies, useServices, useTeams } from '../api/queries.ts';
import { PageHeader, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { useSession } from '../session.tsx';
import { FormDialog } from '../components/form-dialog.tsx';

/** Who a new service pages: an existing policy, a new policy for one of the creator's teams (or the creator), or explicitly nobody. */
type PagesChoice = `policy:${string}` | `team:${string}` | 'me' | 'none';

function NewService({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const errors = useFormErrors();
  const { user } = useSession();
  const policies = usePolicies().data ?? [];
  const myTeams = (useTeams().data ?? []).filter((t) => t.members.some((m) => m.userId === user.id));
  const [v, setV] = useState({ name: '', description: '' });
  const [pages, setPages] = useState<PagesChoice | null>(null);
  // A new service pages the creator's team unless they choose otherwise.
  const choice: PagesChoice | null = pages ?? (myTeams[0] ? `team:${myTeams[0].id}` : null);
  const m = useMutation({
    mutationFn: async () => {
      const name = v.name.trim();
      let escalationPolicyId: string | null = null;
      let teamId: string | null = null;
      let created: string | null = null;
      if (choice?.startsWith('policy:')) escalationPolicyId = choice.slice(7);
      else if (choice?.startsWith('team:') || choice === 'me') {
        const team = choice === 'me' ? undefined : myTeams.find((t) => `team:${t.id}` === choice);
        teamId = team?.id ?? null;
        const p = await api.policies.create({
          name: `${name || 'New service'} on call`,
          description: team ? `Created with service ${name}: pages everyone in team ${team.name}` : `Created with service ${name}: pages ${user.name}`,
          levels: [{ delayMinutes: 10, targets: [team ? { type: 'team', id: team.id } : { type: 'user', id: user.id }] }],
        });
        escalationPolicyId = created = p.id;
      }
      try {
        return await api.services.create({ name, description: v.description, escalationPolicyId, teamId });
      } catch (e) {
        if (created) await api.policies.remove(created).catch(() => undefined);
        throw e;
      }
    },
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: keys.services });
      void qc.invalidateQueries({ queryKey: keys.policies });
      onClose();
      setV({ name: '', description: '' });
      setPages(null);
      navigate(`/services/${s.id}?new=1`);
    },
    onError: errors.set,
  });
  const submit = () => {
    if (!choice) return errors.setField('pages', 'Choose who this service pages');
    m.mutate();
  };
  const data = [
    { group: 'New policy', items: [...myTeams.map((t) => ({ value: `team:${t.id}`, label: `Everyone in team ${t.name}` })), ...(myTeams.length ? [] : [{ value: 'me', label: `Me (${user.name})` }])] },
    ...(policies.length ? [{ group: 'Existing policy', items: policies.map((p) => ({ value: `policy:${p.id}`, label: p.name })) }] : []),
    { group: 'Nobody', items: [{ value: 'none', label: 'Nobody for now: alerts page nobody' }] },
  ];
  return (
    <FormDialog opened={opened} onClose={onClose} title="New service" errors={errors} onSubmit={submit} submitLabel="Create service" submitTestId="create-service" pending={m.isPending}>
      <TextInput label="Name" value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} required data-autofocus name="name" />
      <Textarea label="Description" autosize minRows={2} value={v.description} onChange={(e) => setV({ ...v, description: e.currentTarget.value })} error={errors.field('description')} />
      <Select
        label="Who does it page?"
        description="Its escalation policy: who is paged when an alert arrives."
        placeholder="Choose a policy"
        data={data}
        value={choice}
        onChange={(c) => setPages((c as PagesChoice | null) ?? null)}
        allowDeselect={false}
        required
        error={errors.field('pages') ?? errors.field('escalationPolicyId')}
        comboboxProps={{ withinPortal: true }}
        data-testid="service-pages"
      />
      {choice === 'none' && (
        <Text size="sm" c="red" data-testid="pages-nobody-warning">
          Alerts on this service will open incidents that page nobody until you give it a policy.
        </Text>
      )}
      {(choice?.startsWith('team:') || choice === 'me') && (
        <Text size="sm" c="dimmed">
          Creates the policy “{v.name.trim() || 'New service'} on call” with one level; edit it later under Escalation policies.
        </Text>
      )}
    </FormDialog>
  );
}

/** Every service, with who it pages. */
export default function Services() {
  const { isAdmin } = useSession();
  const q = useServices();
  const policies = usePolicies().data ?? [];
  const teams = useTeams().data ?? [];
  const [creating, c] = useDisclosure(false);
  return (
    <>
      <PageHeader title="Services">
        {isAdmin && (
          <Button leftSection={<IconPlus size={18} />} onClick={c.open}>
            New service
          </Button>
        )}
      </PageHeader>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && <Text c="dimmed">No services yet. A service receives alerts through its integrations and pages through its escalation policy.</Text>}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {q.data?.map((s) => {
            const policy = policies.find((p) => p.id === s.escalationPolicyId);
            const team = teams.find((t) => t.id === s.teamId);
            return (
              <Card key={s.id} withBorder radius="md" component={Link} to={`/services/${s.id}`} data-testid="service-card">
                <Stack gap={4}>
                  <Text fw={700} fz="lg">
                    {s.name}
                  </Text>
                  {s.description && (
                    <Text size="sm" c="dimmed" lineClamp={2}>
                      {s.description}
                    </Text>
                  )}
                  <Group gap="xs">
                    <Text size="sm" c={policy ? undefined : 'red'}>
                      {policy ? `Pages via ${policy.name}` : 'No escalation policy: pages nobody'}
                    </Text>
                  </Group>
                  {team && (
                    <Text size="sm" c="dimmed">
                      Team {team.name}
                    </Text>
                  )}
                </Stack>
              </Card>
            );
          })}
        </SimpleGrid>
      </QueryState>
      <NewService opened={creating} onClose={c.close} />
    </>
  );
}
