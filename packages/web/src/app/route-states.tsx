/** What shows while a page loads, when no page matches, and when a page fails to render. */
import { Flex, Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { useRouteError } from 'react-router';
import { ApiError } from '../api/errors';

// Results carry large illustrations: loaded only when an error or a wrong address shows one.
const LazyErrorState = lazy(() => import('../components/error-state'));
const LazyNotFound = lazy(() => import('../components/not-found'));

export function FullPageSpin() {
  return (
    <Flex align="center" justify="center" style={{ minHeight: '60vh' }}>
      <Spin size="large" />
    </Flex>
  );
}

export function NotFoundPage() {
  return (
    <Suspense fallback={<FullPageSpin />}>
      <LazyNotFound />
    </Suspense>
  );
}

/** A page the user's grants do not cover (PageDef.allowed): the no-permission state, nothing asked. */
export function NoPermissionPage() {
  const { t } = useTranslation();
  return <ShellError error={new ApiError(403, 'Forbidden', t('errors.forbidden.page'))} />;
}

/** An error state for the console's frame (session, routes), loaded when needed. */
export function ShellError(props: { error: unknown; onRetry?: () => void }) {
  return (
    <Suspense fallback={<FullPageSpin />}>
      <LazyErrorState {...props} />
    </Suspense>
  );
}

/** A page that threw while rendering or loading (a chunk that failed to load after a deploy, a bug). */
export function RouteError() {
  const error = useRouteError();
  return <ShellError error={error} onRetry={() => window.location.reload()} />;
}
