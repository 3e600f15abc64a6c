import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './app.css';
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { createQueryClient } from './api/queries.ts';
import { keys } from './api/keys.ts';
import type { Session } from '@klaxon/contract';
import { App, prefetchScreenData, preloadScreen } from './app.tsx';
import { registerServiceWorker } from './push/register.ts';
import { prefetchSession } from './session.tsx';
import { colorSchemeManager, cssVariablesResolver, theme } from './theme.ts';
import { must } from './lib/must.ts';

// Toasts show only after something was done: their component (and its transitions) loads after the
// first screen's code. notifications.show() before it arrives is kept in the store and shown then.
const Notifications = lazy(() => import('@mantine/notifications').then((m) => ({ default: m.Notifications })));

const queryClient = createQueryClient();
// The first screen's two waits start together, before React renders anything: the session and the screen's chunk.
// Once the session is known, the screen's data follows at once.
void prefetchSession(queryClient).then(() => {
  const session = queryClient.getQueryData<Session | null>(keys.session);
  if (session) prefetchScreenData(queryClient, session.user);
});
preloadScreen(window.location.pathname);

createRoot(must(document.getElementById('root'), 'the #root element')).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager} cssVariablesResolver={cssVariablesResolver}>
      <Suspense fallback={null}>
        <Notifications position="top-center" />
      </Suspense>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);

registerServiceWorker();
