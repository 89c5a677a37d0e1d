import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router/dom';
import { createQueryClient } from './api/query-client';
import { sessionQuery } from './api/session';
import { createWatchClient } from './api/watch';
import { Providers } from './app/providers';
import { createRouter } from './app/router';
import { i18nReady } from './i18n';
import './styles.css';

const queryClient = createQueryClient();
// Who is signed in decides the first page: ask while the router loads that page's code.
queryClient.query(sessionQuery).catch(() => undefined); // a failure shows when the page asks again
const watch = createWatchClient(queryClient);
const router = createRouter();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// The first render waits for the language's texts (a chunk of its own unless English). Not a top-level
// await: that makes the bundler split the first load into many more chunks.
void i18nReady.then(() =>
  createRoot(root).render(
    <StrictMode>
      <Providers queryClient={queryClient} watch={watch}>
        <RouterProvider router={router} />
      </Providers>
    </StrictMode>,
  ),
);
