import { Button, Center, Loader, Paper, PasswordInput, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { markFirstRun } from '../lib/first-run.ts';
import { api } from '../api/client.ts';
import type { Session } from '../api/types.ts';
import { FormAlert } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { localTimeZone, timeZones } from '../lib/time.ts';

function Frame({ title, subtitle, children }: { title: string; subtitle?: string; children: React.ReactNode }) {
  return (
    <Center mih="100dvh" p="md" component="main" id="main" tabIndex={-1}>
      <a href="#main" className="klx-skip">
        Skip to main content
      </a>
      <Stack w="100%" maw={420} gap="lg">
        <Stack align="center" gap={6}>
          <img src="/icon.svg" alt="" width={64} height={64} />
          <Title order={1} fz={28}>
            {title}
          </Title>
          {subtitle && (
            <Text c="dimmed" ta="center">
              {subtitle}
            </Text>
          )}
        </Stack>
        <Paper withBorder p="lg" radius="lg">
          {children}
        </Paper>
      </Stack>
    </Center>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const errors = useFormErrors();
  const m = useMutation({ mutationFn: () => api.auth.login(email.trim(), password), onSuccess: onSignedIn, onError: errors.set });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    m.mutate();
  };
  return (
    <Frame title="Sign in to Klaxon">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errors.field('email')} autoFocus name="email" />
          <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errors.field('password')} name="password" />
          <FormAlert message={errors.message} />
          <Button type="submit" size="lg" loading={m.isPending} fullWidth>
            Sign in
          </Button>
        </Stack>
      </form>
    </Frame>
  );
}

function Setup({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [v, setV] = useState({ name: '', email: '', password: '', timeZone: localTimeZone() });
  const errors = useFormErrors();
  // The first administrator lands on the setup checklist: what still pages nobody, and which channels are configured.
  const m = useMutation({
    mutationFn: () => api.auth.setup({ ...v, email: v.email.trim(), name: v.name.trim() }),
    onSuccess: (s) => {
      markFirstRun();
      onSignedIn(s);
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (v.password.length < 8) return errors.setField('password', 'At least 8 characters');
    m.mutate();
  };
  return (
    <Frame title="Welcome to Klaxon" subtitle="Nobody has an account yet. Create the first administrator; you will be signed in.">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Your name" required value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} autoFocus name="name" />
          <TextInput label="Email" type="email" autoComplete="username" required value={v.email} onChange={(e) => setV({ ...v, email: e.currentTarget.value })} error={errors.field('email')} name="email" />
          <PasswordInput label="Password" description="At least 8 characters" autoComplete="new-password" required value={v.password} onChange={(e) => setV({ ...v, password: e.currentTarget.value })} error={errors.field('password')} name="password" />
          <Select label="Time zone" searchable data={timeZones()} value={v.timeZone} onChange={(tz) => setV({ ...v, timeZone: tz ?? localTimeZone() })} error={errors.field('timeZone')} allowDeselect={false} />
          <FormAlert message={errors.message} />
          <Button type="submit" size="lg" loading={m.isPending} fullWidth>
            Create administrator
          </Button>
        </Stack>
      </form>
    </Frame>
  );
}

/** What a signed-out visitor sees: first-run setup when the server has no users yet, otherwise sign-in. */
export default function SignedOut({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const q = useQuery({ queryKey: ['setup'], queryFn: api.auth.setupNeeded, retry: 1 });
  if (q.isPending) {
    return (
      <Center h="100dvh">
        <Loader />
      </Center>
    );
  }
  // A server without the setup endpoint (or any error) falls back to sign-in.
  if (q.data?.needed) return <Setup onSignedIn={onSignedIn} />;
  return <SignIn onSignedIn={onSignedIn} />;
}
