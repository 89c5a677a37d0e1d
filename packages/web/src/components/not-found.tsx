import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

export default function NotFound() {
  const { t } = useTranslation();
  return (
    <Result
      status="404"
      title={t('errors.notFound.title')}
      subTitle={t('errors.notFound.page')}
      extra={
        <Link to="/">
          <Button type="primary">{t('errors.home')}</Button>
        </Link>
      }
    />
  );
}
