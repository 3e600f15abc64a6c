import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, type ReactNode } from 'react';
import { Route, Routes } from 'react-router-dom';

// Each screen is its own chunk: the editor brings the Markdown renderer, which the list and the
// open action items do not need.
const PostmortemList = lazy(() => import('../postmortems/list.tsx'));
const OpenActionItems = lazy(() => import('../postmortems/open-items.tsx'));
const PostmortemEditor = lazy(() => import('../postmortems/editor.tsx'));

function Screen({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <Center h="40vh">
          <Loader />
        </Center>
      }
    >
      {children}
    </Suspense>
  );
}

/** Postmortems (/postmortems), open action items per team (/postmortems/action-items) and the editor (/postmortems/:id). */
export default function Postmortems() {
  return (
    <Routes>
      <Route
        index
        element={
          <Screen>
            <PostmortemList />
          </Screen>
        }
      />
      <Route
        path="action-items"
        element={
          <Screen>
            <OpenActionItems />
          </Screen>
        }
      />
      <Route
        path=":id"
        element={
          <Screen>
            <PostmortemEditor />
          </Screen>
        }
      />
    </Routes>
  );
}
