import type { ComponentType } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import { ConsoleLayout } from './console-layout';
import type { Session } from '../api/session';
import { FullPageSpin, NoPermissionPage, NotFoundPage, RouteError } from './route-states';
import { useNavContext } from './nav-context';
import { homePath, pages } from './pages';
import { RequireSession, useCurrentSession } from './require-session';

const lazyPage = (load: () => Promise<{ default: ComponentType }>) => async () => ({
  Component: (await load()).default,
});

/** A page only for some users: the others get the no-permission state, and the page asks nothing. */
const guardedPage =
  (load: () => Promise<{ default: ComponentType }>, allowed: (s: Session) => boolean) => async () => {
    const Page = (await load()).default;
    function Guarded() {
      return allowed(useCurrentSession()) ? <Page /> : <NoPermissionPage />;
    }
    return { Component: Guarded };
  };

function Home() {
  const session = useCurrentSession();
  const nav = useNavContext();
  if (!nav.ready) return <FullPageSpin />;
  return <Navigate to={homePath(session, nav)} replace />;
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
        ...pages.map((p) => ({
          path: p.path,
          lazy: p.allowed ? guardedPage(p.load, p.allowed) : lazyPage(p.load),
          errorElement: <RouteError />,
        })),
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
