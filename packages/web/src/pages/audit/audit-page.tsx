/**
 * The audit log (GET /api/v1/audit): filters by user, kind, verb, cluster, outcome and time, paged on the
 * server, newest first. Filters live in the URL, so a filtered view is a link.
 */
import { ReloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { AutoComplete, Button, DatePicker, Flex, Form, Input, Select, Table, Tag, Tooltip } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { ErrorState } from '../../components/error-state';
import { formatTime } from '../../components/format';
import { PageHeader } from '../../components/page-header';
import { verbText } from '../../i18n/seeded';

type AuditRecord = {
  id: number;
  time: string;
  user: string;
  groups: string[];
  sourceIp: string | null;
  verb: string;
  kind: string | null;
  name: string | null;
  namespace: string | null;
  cluster: string | null;
  outcome: number | null;
  reason: string | null;
  changes: string[] | null;
};

type Filters = {
  user?: string;
  kind?: string;
  verb?: string;
  cluster?: string;
  outcome?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
};

const filterNames = ['user', 'kind', 'verb', 'cluster', 'outcome', 'since', 'until'] as const;
const kinds = [
  'Cluster',
  'Tenant',
  'Partition',
  'User',
  'Group',
  'RoleTemplate',
  'RoleTemplateBinding',
  'Token',
];
const verbs = ['create', 'update', 'delete', 'login', 'logout', 'register', 'get', 'list'];
const pageSizes = [20, 50, 100];

export default function AuditPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm<Filters>();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const pageSize = pageSizes.includes(Number(params.get('size'))) ? Number(params.get('size')) : 20;
  const query: Record<string, string | number | undefined> = { page, pageSize };
  for (const k of filterNames) query[k] = params.get(k) ?? undefined;

  const records = useQuery({
    queryKey: ['management', 'audit', query],
    queryFn: ({ signal }) => api.get<{ items: AuditRecord[]; total: number }>('/api/v1/audit', query, signal),
    placeholderData: keepPreviousData,
  });

  const apply = (v: Filters) => {
    const next = new URLSearchParams();
    const set = (k: string, value: string | undefined) => value?.trim() && next.set(k, value.trim());
    set('user', v.user);
    set('kind', v.kind);
    set('verb', v.verb);
    set('cluster', v.cluster);
    set('outcome', v.outcome);
    set('since', v.range?.[0]?.toISOString());
    set('until', v.range?.[1]?.toISOString());
    setParams(next, { replace: true });
  };
  const since = params.get('since');
  const until = params.get('until');
  const initial: Filters = {
    user: params.get('user') ?? undefined,
    kind: params.get('kind') ?? undefined,
    verb: params.get('verb') ?? undefined,
    cluster: params.get('cluster') ?? undefined,
    outcome: params.get('outcome') ?? undefined,
    range: since || until ? [since ? dayjs(since) : null, until ? dayjs(until) : null] : null,
  };

  if (records.error && !records.data) {
    return (
      <>
        <PageHeader title={t('audit.title')} />
        <ErrorState error={records.error} onRetry={() => void records.refetch()} />
      </>
    );
  }
  return (
    <>
      <PageHeader title={t('audit.title')} />
      <Form<Filters>
        form={form}
        layout="inline"
        initialValues={initial}
        onFinish={apply}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item name="user" label={t('audit.user')}>
          <Input allowClear style={{ width: 140 }} data-testid="audit-user" />
        </Form.Item>
        <Form.Item name="kind" label={t('audit.kind')}>
          <AutoComplete
            allowClear
            style={{ width: 170 }}
            options={kinds.map((k) => ({ value: k }))}
            showSearch={{
              filterOption: (input, o) => String(o?.value).toLowerCase().includes(input.toLowerCase()),
            }}
            data-testid="audit-kind"
          />
        </Form.Item>
        <Form.Item name="verb" label={t('audit.verb')}>
          <AutoComplete
            allowClear
            style={{ width: 120 }}
            options={verbs.map((v) => ({ value: v, label: verbText(t, v) }))}
            showSearch={{ filterOption: (input, o) => String(o?.value).includes(input.toLowerCase()) }}
            data-testid="audit-verb"
          />
        </Form.Item>
        <Form.Item name="cluster" label={t('audit.cluster')}>
          <Input allowClear style={{ width: 140 }} />
        </Form.Item>
        <Form.Item name="outcome" label={t('audit.outcome')}>
          <Select
            allowClear
            style={{ width: 150 }}
            placeholder={t('audit.any')}
            options={(['success', 'failure', '4xx', '5xx'] as const).map((o) => ({
              value: o,
              label: t(`audit.outcomes.${o}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="range" label={t('audit.range')}>
          <DatePicker.RangePicker showTime allowEmpty={[true, true]} />
        </Form.Item>
        <Flex gap={8}>
          <Button type="primary" htmlType="submit" data-testid="audit-apply">
            {t('audit.apply')}
          </Button>
          <Button
            onClick={() => {
              form.setFieldsValue({
                user: undefined,
                kind: undefined,
                verb: undefined,
                cluster: undefined,
                outcome: undefined,
                range: null,
              });
              setParams(new URLSearchParams(), { replace: true });
            }}
          >
            {t('audit.reset')}
          </Button>
          <Tooltip title={t('common.refresh')}>
            <Button
              aria-label={t('common.refresh')}
              icon={<ReloadOutlined />}
              loading={records.isFetching}
              onClick={() => void records.refetch()}
            />
          </Tooltip>
        </Flex>
      </Form>
      {records.error && <ErrorState error={records.error} onRetry={() => void records.refetch()} compact />}
      <Table<AuditRecord>
        data-testid="audit-table"
        rowKey="id"
        size="middle"
        scroll={{ x: 'max-content' }}
        loading={records.isLoading || (records.isFetching && records.isPlaceholderData)}
        dataSource={records.data?.items ?? []}
        pagination={{
          current: page,
          pageSize,
          total: records.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: pageSizes,
          showTotal: (total) => t('common.total', { count: total }),
          onChange: (p, size) =>
            setParams(
              (prev) => {
                const next = new URLSearchParams(prev);
                next.set('page', String(size !== pageSize ? 1 : p));
                next.set('size', String(size));
                return next;
              },
              { replace: true },
            ),
        }}
        columns={[
          { key: 'time', title: t('audit.time'), render: (_, r) => formatTime(r.time) },
          { key: 'user', title: t('audit.user'), render: (_, r) => r.user },
          { key: 'verb', title: t('audit.verb'), render: (_, r) => verbText(t, r.verb) },
          { key: 'kind', title: t('audit.kind'), render: (_, r) => r.kind ?? t('common.none') },
          {
            key: 'name',
            title: t('audit.name'),
            render: (_, r) => [r.namespace, r.name].filter(Boolean).join('/') || t('common.none'),
          },
          { key: 'cluster', title: t('audit.cluster'), render: (_, r) => r.cluster ?? t('common.none') },
          {
            key: 'outcome',
            title: t('audit.outcome'),
            render: (_, r) =>
              r.outcome === null ? (
                <Tag>…</Tag>
              ) : (
                <Tooltip title={r.reason ?? undefined}>
                  <Tag color={r.outcome < 400 ? 'success' : r.outcome < 500 ? 'warning' : 'error'}>
                    {r.outcome}
                  </Tag>
                </Tooltip>
              ),
          },
          {
            key: 'changes',
            title: t('audit.changes'),
            ellipsis: true,
            render: (_, r) => r.changes?.join(', ') ?? '',
          },
          { key: 'source', title: t('audit.source'), render: (_, r) => r.sourceIp ?? '' },
        ]}
      />
    </>
  );
}
