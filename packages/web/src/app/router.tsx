import type { ComponentType } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import { useTenant } from '../api/tenant-choice';
import { ConsoleLayout } from './console-layout';
import { FullPageSpin, NotFoundPage, RouteError } from './route-states';
import { homePath, pages } from './pages';
import { RequireSession, useCurrentSession } from './require-session';

const lazyPage = (load: () => Promise<{ default: ComponentType }>) => async () => ({
  Component: (await load()).default,
});

function Home() {
  const { tenant } = useTenant();
  return <Navigate to={homePath(useCurrentSession(), { tenant })} replace />;
}

/** Routes from the page table: sign-in outside the console's frame, every other page inside it. */
export function createRouter() {
  return createBrowserRouter([
    {
      path: '/login',
      lazy: lazyPage(() => import('../pages/login/login-page')),
      errorElement: <RouteError />,
      hydrateFallbackElement: <FullPageSpin />,
    },
    {
      path: '/',
      element: (
        <RequireSession>
          <ConsoleLayout />
        </RequireSession>
      ),
      errorElement: <RouteError />,
      hydrateFallbackElement: <FullPageSpin />,
      children: [
        { index: true, element: <Home /> },
        ...pages.map((p) => ({ path: p.path, lazy: lazyPage(p.load), errorElement: <RouteError /> })),
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
