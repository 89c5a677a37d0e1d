/**
 * How a failed request shows: a 403 as a clear no-permission state, a 404 as not found, an unavailable cluster
 * or server as a warning with the server's reason — never a blank page. `compact` fits inside a tab or card.
 */
import { Alert, Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { isForbidden, isNotFound, isUnavailable } from '../api/errors';

type Props = { error: unknown; onRetry?: () => void; compact?: boolean };

export function ErrorState({ error, onRetry, compact }: Props) {
  const { t } = useTranslation();
  const message = error instanceof Error ? error.message : String(error);
  const retry = onRetry ? (
    <Button size={compact ? 'small' : 'middle'} onClick={onRetry}>
      {t('errors.retry')}
    </Button>
  ) : undefined;
  const [status, title] = isForbidden(error)
    ? (['403', t('errors.forbidden.title')] as const)
    : isNotFound(error)
      ? (['404', t('errors.notFound.title')] as const)
      : isUnavailable(error)
        ? (['warning', t('errors.unavailable.title')] as const)
        : (['error', t('errors.generic.title')] as const);
  if (compact) {
    return (
      <Alert
        data-testid="error-state"
        type={status === 'error' ? 'error' : 'warning'}
        showIcon
        title={title}
        description={message}
        action={retry}
      />
    );
  }
  return (
    <Result
      data-testid="error-state"
      status={status}
      title={title}
      subTitle={
        <>
          <div>{message}</div>
          {isForbidden(error) && <div>{t('errors.forbidden.hint')}</div>}
        </>
      }
      extra={retry}
    />
  );
}

export default ErrorState;
