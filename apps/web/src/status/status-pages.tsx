import { Anchor, Badge, Box, Button, Card, ColorInput, Group, MultiSelect, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconExternalLink, IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { statusApi, statusPageProblems, useBusinessServices, useStatusPages, type Colors, type StatusPage, type StatusPageInput } from '../api/status.ts';
import { FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { FormModal } from './bits.tsx';
import { keys } from '../api/keys.ts';

const DEFAULT_COLORS: Colors = { brand: '#1d4ed8', background: '#ffffff', text: '#111827' };

/** The public address of a page: the default one is also at /status. */
export function publicPath(p: Pick<StatusPage, 'slug' | 'isDefault'>): string {
  return p.isDefault ? '/status' : `/status/${encodeURIComponent(p.slug)}`;
}

/** The page's header as visitors see it, from the form's values. */
function BrandPreview({ name, logoUrl, colors }: { name: string; logoUrl: string; colors: Colors }) {
  return (
    <Box
      p="md"
      style={{ background: colors.background, color: colors.text, borderRadius: 8, border: '1px solid var(--mantine-color-default-border)', borderTop: `6px solid ${colors.brand}` }}
      data-testid="brand-preview"
    >
      <Group gap="sm" wrap="nowrap">
        {logoUrl && /^https?:\/\//.test(logoUrl) && <img src={logoUrl} alt="" style={{ maxHeight: 32, maxWidth: 120 }} />}
        <Text fw={700} fz="lg" style={{ color: colors.text, wordBreak: 'break-word' }}>
          {name || 'Status'}
        </Text>
      </Group>
      <Box mt="sm" px="sm" py={6} style={{ background: colors.brand, color: '#fff', borderRadius: 6 }}>
        <Text size="sm" fw={600} style={{ color: '#fff' }}>
          All Systems Operational
        </Text>
      </Box>
    </Box>
  );
}

function StatusPageForm({ editing, onDone }: { editing: StatusPage | null; onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const bs = useBusinessServices().data ?? [];
  const [v, setV] = useState({
    slug: editing?.slug ?? '',
    name: editing?.name ?? '',
    logoUrl: editing?.logoUrl ?? '',
    colors: editing?.colors ?? DEFAULT_COLORS,
    businessServiceIds: editing?.businessServiceIds ?? [],
    isDefault: editing?.isDefault ?? false,
  });
  const input = (): StatusPageInput => ({
    slug: v.slug.trim(),
    name: v.name.trim(),
    logoUrl: v.logoUrl.trim() || null,
    colors: v.colors,
    businessServiceIds: v.businessServiceIds,
    isDefault: v.isDefault,
  });
  const m = useMutation({
    mutationFn: () => statusApi.savePage(input()),
    onSuccess: (p) => {
      void qc.invalidateQueries({ queryKey: keys.status.pages });
      notifications.show({ message: `${p.name} saved`, autoClose: 2500 });
      onDone();
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    const problems = statusPageProblems(input());
    for (const [path, message] of Object.entries(problems)) errors.setField(path, message);
    if (Object.keys(problems).length === 0) m.mutate();
  };
  const color = (k: keyof Colors, label: string) => (
    <ColorInput label={label} format="hex" value={v.colors[k]} onChange={(c) => setV({ ...v, colors: { ...v.colors, [k]: c } })} error={errors.field(`colors.${k}`)} data-testid={`color-${k}`} />
  );
  return (
    <form onSubmit={submit} noValidate data-testid="status-page-form">
      <Stack>
        <TextInput label="Name" value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} required data-autofocus maxLength={200} />
        <TextInput
          label="Slug"
          description={editing ? 'The page’s address; a new slug makes a new page' : 'The page’s address: /status/<slug>'}
          value={v.slug}
          onChange={(e) => setV({ ...v, slug: e.currentTarget.value })}
          error={errors.field('slug')}
          required
          disabled={!!editing}
          leftSection={
            <Text size="xs" c="dimmed" pl={4}>
              /status/
            </Text>
          }
          leftSectionWidth={62}
        />
        <TextInput label="Logo URL" placeholder="https://example.com/logo.png" value={v.logoUrl} onChange={(e) => setV({ ...v, logoUrl: e.currentTarget.value })} error={errors.field('logoUrl')} />
        <SimpleGrid cols={{ base: 1, xs: 3 }}>
          {color('brand', 'Brand colour')}
          {color('background', 'Background')}
          {color('text', 'Text')}
        </SimpleGrid>
        <BrandPreview name={v.name} logoUrl={v.logoUrl} colors={v.colors} />
        <MultiSelect
          label="Components"
          description="The business services shown on the page"
          data={bs.map((b) => ({ value: b.id, label: b.name }))}
          value={v.businessServiceIds}
          onChange={(businessServiceIds) => setV({ ...v, businessServiceIds })}
          searchable
          error={errors.under('businessServiceIds')}
          data-testid="page-components"
        />
        <Switch label="Default page (served at /status)" checked={v.isDefault} onChange={(e) => setV({ ...v, isDefault: e.currentTarget.checked })} size="md" />
        <FormAlert message={errors.message} />
        <Button type="submit" loading={m.isPending} data-testid="save-status-page">
          {editing ? 'Save status page' : 'Create status page'}
        </Button>
      </Stack>
    </form>
  );
}

/** Public status pages: list, create, edit; links to the public pages. */
export default function StatusPagesTab({ isAdmin }: { isAdmin: boolean }) {
  const q = useStatusPages();
  const bs = useBusinessServices().data ?? [];
  const [form, setForm] = useState<{ editing: StatusPage | null } | null>(null);
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Text c="dimmed" maw={640}>
          Public pages for customers: components, incidents with public updates, maintenance, feeds and email subscriptions. No sign-in needed to read them.
        </Text>
        {isAdmin && (
          <Button leftSection={<IconPlus size={18} />} onClick={() => setForm({ editing: null })} data-testid="new-status-page">
            New status page
          </Button>
        )}
      </Group>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && (
          <Text c="dimmed">
            No status page yet:{' '}
            <Anchor href="/status" target="_blank">
              /status
            </Anchor>{' '}
            shows every business service under the name “Status”.
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {q.data?.map((p) => (
            <Card key={p.id} withBorder radius="md" data-testid="status-page-card" style={{ borderTop: `4px solid ${p.colors.brand}` }}>
              <Stack gap={6}>
                <Group gap="xs" wrap="nowrap">
                  {p.logoUrl && <img src={p.logoUrl} alt="" style={{ maxHeight: 24, maxWidth: 80 }} />}
                  <Text fw={700} fz="lg" style={{ wordBreak: 'break-word' }}>
                    {p.name}
                  </Text>
                  {p.isDefault && <Badge variant="light">default</Badge>}
                </Group>
                <Group gap={4}>
                  {(['brand', 'background', 'text'] as const).map((k) => (
                    <Box key={k} title={`${k} ${p.colors[k]}`} w={18} h={18} style={{ background: p.colors[k], borderRadius: 4, border: '1px solid var(--mantine-color-default-border)' }} />
                  ))}
                  <Text size="sm" c="dimmed" ml={4}>
                    /status/{p.slug}
                  </Text>
                </Group>
                <Group gap={6}>
                  {p.businessServiceIds.length === 0 && (
                    <Text size="sm" c="orange">
                      No components
                    </Text>
                  )}
                  {p.businessServiceIds.map((id) => (
                    <Badge key={id} variant="outline" tt="none">
                      {bs.find((b) => b.id === id)?.name ?? 'deleted'}
                    </Badge>
                  ))}
                </Group>
                <Group gap="xs" mt={4}>
                  <Button component="a" href={publicPath(p)} target="_blank" rel="noreferrer" variant="light" size="sm" rightSection={<IconExternalLink size={16} />} data-testid="open-public-page">
                    Open public page
                  </Button>
                  {isAdmin && (
                    <Button variant="subtle" size="sm" onClick={() => setForm({ editing: p })}>
                      Edit
                    </Button>
                  )}
                </Group>
              </Stack>
            </Card>
          ))}
        </SimpleGrid>
      </QueryState>
      <FormModal opened={form !== null} onClose={() => setForm(null)} title={form?.editing ? `Edit ${form.editing.name}` : 'New status page'}>
        {form && <StatusPageForm editing={form.editing} onDone={() => setForm(null)} />}
      </FormModal>
    </Stack>
  );
}
