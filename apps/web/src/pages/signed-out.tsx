import { Anchor, Button, Center, Loader, Paper, PasswordInput, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { markFirstRun } from '../lib/first-run.ts';
import { api } from '../api/client.ts';
import type { Session } from '@klaxon/contract';
import { FormAlert } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { localTimeZone, timeZones } from '../lib/time.ts';
import { keys } from '../api/keys.ts';

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

function SignIn({ onSignedIn, onForgot }: { onSignedIn: (s: Session) => void; onForgot: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const errors = useFormErrors();
  const m = useMutation({ mutationFn: () => api.auth.login(email.trim(), password), onSuccess: onSignedIn, onError: errors.set });
  const providers = useQuery({ queryKey: keys.signInProviders, queryFn: api.auth.providers, retry: 1 });
  const buttons = [providers.data?.oidc, providers.data?.saml].filter((b): b is { name: string; startUrl: string } => !!b);
  const passwordOpen = providers.data?.password ?? true;
  // With password sign-in off, the form is only for break-glass administrators: behind a link.
  const [breakGlass, setBreakGlass] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    m.mutate();
  };
  const returnTo = `${window.location.pathname === '/login' ? '/' : window.location.pathname}${window.location.search}`;
  return (
    <Frame title="Sign in to Klaxon">
      <Stack>
        {buttons.map((b) => (
          <Button key={b.startUrl} component="a" href={`${b.startUrl}?returnTo=${encodeURIComponent(returnTo)}`} size="lg" fullWidth data-testid="sso-sign-in">
            Sign in with {b.name}
          </Button>
        ))}
        {!passwordOpen && !breakGlass && (
          <Anchor component="button" type="button" onClick={() => setBreakGlass(true)} ta="center" mih={44} data-testid="break-glass">
            Administrator sign-in with a password (break-glass)
          </Anchor>
        )}
        {(passwordOpen || breakGlass) && passwordForm()}
      </Stack>
    </Frame>
  );

  // A plain function, not a component: the inputs keep their state and focus across renders.
  function passwordForm() {
    return (
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errors.field('email')} autoFocus name="email" />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.field('password')}
            name="password"
          />
          <FormAlert message={errors.message} />
          <Button type="submit" size="lg" loading={m.isPending} fullWidth>
            Sign in
          </Button>
          {passwordOpen && (
            <Anchor component="button" type="button" onClick={onForgot} ta="center" data-testid="forgot-password">
              Forgot your password?
            </Anchor>
          )}
        </Stack>
      </form>
    );
  }
}

/** "Forgot password": asks for the email and says a link is on its way (whether or not the email is known). */
function ForgotPassword({ onBack }: { onBack: () => void }) {
  const [email, setEmail] = useState('');
  const errors = useFormErrors();
  const m = useMutation({ mutationFn: () => api.auth.forgotPassword(email.trim()), onError: errors.set });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    m.mutate();
  };
  return (
    <Frame title="Forgot your password?" subtitle="We email you a link to set a new one. It works once, for an hour.">
      {m.isSuccess ? (
        <Stack>
          <Text data-testid="forgot-sent">{m.data.message}</Text>
          <Button variant="light" onClick={onBack}>
            Back to sign in
          </Button>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={errors.field('email')}
              autoFocus
              name="email"
            />
            <FormAlert message={errors.message} />
            <Button type="submit" size="lg" loading={m.isPending} fullWidth>
              Email me a link
            </Button>
            <Anchor component="button" type="button" onClick={onBack} ta="center">
              Back to sign in
            </Anchor>
          </Stack>
        </form>
      )}
    </Frame>
  );
}

/** /set-password#token=…: the page an invitation or a reset link opens; sets the password, then offers sign-in. */
export function SetPassword({ onDone }: { onDone: () => void }) {
  const [token] = useState(() => new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') ?? '');
  const [password, setPassword] = useState('');
  const errors = useFormErrors();
  const m = useMutation({ mutationFn: () => api.auth.setPassword(token, password), onError: errors.set });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (password.length < 8) return errors.setField('password', 'At least 8 characters');
    m.mutate();
  };
  return (
    <Frame title="Set your password">
      {m.isSuccess ? (
        <Stack>
          <Text data-testid="password-set">Your password is set. Sign in with it.</Text>
          <Button onClick={onDone}>Sign in</Button>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            {!token && <FormAlert message="This page needs the link from your email." />}
            <PasswordInput
              label="New password"
              description="At least 8 characters"
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={errors.field('password')}
              autoFocus
              name="password"
            />
            <FormAlert message={errors.message} />
            <Button type="submit" size="lg" loading={m.isPending} fullWidth disabled={!token}>
              Set password
            </Button>
          </Stack>
        </form>
      )}
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
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            value={v.email}
            onChange={(e) => setV({ ...v, email: e.currentTarget.value })}
            error={errors.field('email')}
            name="email"
          />
          <PasswordInput
            label="Password"
            description="At least 8 characters"
            autoComplete="new-password"
            required
            value={v.password}
            onChange={(e) => setV({ ...v, password: e.currentTarget.value })}
            error={errors.field('password')}
            name="password"
          />
          <Select
            label="Time zone"
            searchable
            data={timeZones()}
            value={v.timeZone}
            onChange={(tz) => setV({ ...v, timeZone: tz ?? localTimeZone() })}
            error={errors.field('timeZone')}
            allowDeselect={false}
          />
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
  const q = useQuery({ queryKey: keys.setupNeeded, queryFn: api.auth.setupNeeded, retry: 1 });
  const [screen, setScreen] = useState<'sign-in' | 'forgot' | 'set-password'>(() => (window.location.pathname === '/set-password' ? 'set-password' : 'sign-in'));
  const toSignIn = () => {
    if (window.location.pathname === '/set-password') window.history.replaceState(null, '', '/');
    setScreen('sign-in');
  };
  if (screen === 'set-password') return <SetPassword onDone={toSignIn} />;
  if (screen === 'forgot') return <ForgotPassword onBack={toSignIn} />;
  if (q.isPending) {
    return (
      <Center h="100dvh">
        <Loader />
      </Center>
    );
  }
  // A server without the setup endpoint (or any error) falls back to sign-in.
  if (q.data?.needed) return <Setup onSignedIn={onSignedIn} />;
  return <SignIn onSignedIn={onSignedIn} onForgot={() => setScreen('forgot')} />;
}
