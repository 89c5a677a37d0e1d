/**
 * The top bar's tenant switcher (seed 000 "Tenant: QA-Only-Control"): the tenants this user may see, searched
 * on the server (an administrator may have thousands), the choice remembered. Loaded after the first page: it
 * is the one place of the frame that needs a Select.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { api } from '../api/client';
import { isNotFound } from '../api/errors';
import { useObject, type Tenant } from '../api/platform';
import { useTenant } from '../api/tenant-choice';
import { useWatch } from '../api/watch';

const label = (x: Tenant) => x.spec.displayName || x.metadata.name;

export default function TenantSwitcher() {
  const { t } = useTranslation();
  const { tenant, choose } = useTenant();
  const navigate = useNavigate();
  const location = useLocation();
  const [search, setSearch] = useState('');
  useWatch(['management/tenants']);
  const list = useQuery({
    queryKey: ['management', 'tenants', 'switcher', search],
    queryFn: ({ signal }) =>
      api.get<{ items: Tenant[] }>(
        '/api/v1/tenants',
        { pageSize: 50, filter: search.replace(/,/g, ' ') },
        signal,
      ),
    placeholderData: keepPreviousData,
  });
  const current = useObject<Tenant>('tenants', tenant);
  const gone = isNotFound(current.error);
  // A remembered tenant that was deleted is not chosen any more.
  useEffect(() => {
    if (gone) choose(undefined);
  }, [gone, choose]);
  const items = list.data?.items ?? [];
  const options = items.map((x) => ({ value: x.metadata.name, label: label(x) }));
  if (tenant && !items.some((x) => x.metadata.name === tenant)) {
    options.unshift({ value: tenant, label: current.data ? label(current.data) : tenant });
  }
  const onChange = (name: string) => {
    choose(name);
    // A partition's or a group's page belongs to the tenant left: go to the list of the new one.
    const section = location.pathname.split('/')[1];
    if ((section === 'partitions' || section === 'groups') && location.pathname !== `/${section}`) {
      void navigate(`/${section}`);
    }
  };
  return (
    <Space>
      <Typography.Text type="secondary">{t('tenantSwitch.label')}</Typography.Text>
      <Select
        data-testid="tenant-switcher"
        aria-label={t('tenantSwitch.label')}
        variant="borderless"
        style={{ minWidth: 200 }}
        popupMatchSelectWidth={280}
        placeholder={t('tenantSwitch.choose')}
        value={tenant}
        loading={list.isFetching}
        showSearch={{ filterOption: false, onSearch: setSearch }}
        onChange={onChange}
        options={options}
        notFoundContent={t('tenantSwitch.none')}
      />
    </Space>
  );
}
