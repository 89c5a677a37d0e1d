/**
 * Create New Partition (seed 000/001: `/partitions/~new`) and resize (`/partitions/:name/edit`). The form
 * shows the tenant's quota on the chosen cluster ("CPU request 2 / 4 cores": remaining of total) and takes
 * the partition's share of each resource, refusing over what remains before sending; when the server still
 * refuses (another partition took it meanwhile: 409), its message shows at the field it names.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  Form,
  Input,
  Row,
  Select,
  Space,
  Spin,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, enc } from '../../api/client';
import { useObject, type Partition } from '../../api/platform';
import { parseMilli } from '../../api/quantity';
import { useTenantQuota, type ClusterQuotaView } from '../../api/quota';
import { useTenant } from '../../api/tenant-choice';
import { ErrorState } from '../../components/error-state';
import { showMappedFieldError, type FieldPath } from '../../components/form-errors';
import { PageHeader } from '../../components/page-header';
import { nameRules, quantityRule } from '../tenants/quota-validators';
import { byResourceOrder, formatAmounts, resourceLabel } from '../tenants/resources';

type Values = {
  name: string;
  cluster?: string;
  namespace?: string;
  displayName?: string;
  description?: string;
  hard?: Record<string, string | undefined>;
};

export default function PartitionFormPage() {
  const { t } = useTranslation();
  const name = useParams().name;
  const chosen = useTenant().tenant;
  const partition = useObject<Partition>('partitions', name);
  if (name && partition.error)
    return <ErrorState error={partition.error} onRetry={() => void partition.refetch()} />;
  if (name && !partition.data) return <Spin />;
  const tenant = partition.data?.spec.tenant ?? chosen;
  if (!tenant) return <Empty description={t('tenantSwitch.chooseFirst')} />;
  return <PartitionForm tenant={tenant} existing={partition.data} />;
}

/** The form field of an API error's field path. */
function fieldOf(path: FieldPath): FieldPath | undefined {
  const [a, b, key] = path;
  if (a === 'metadata' && b === 'name') return ['name'];
  if (a !== 'spec') return undefined;
  if (b === 'hard' && typeof key === 'string') return ['hard', key];
  if (b === 'cluster' || b === 'namespace' || b === 'displayName' || b === 'description') return [b];
  if (b === 'tenant') return ['cluster'];
  return undefined;
}

function PartitionForm({ tenant, existing }: { tenant: string; existing?: Partition }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const [general, setGeneral] = useState<Error | null>(null);
  const quota = useTenantQuota(tenant);
  const clusters = quota.data?.clusters ?? [];
  const cluster = Form.useWatch('cluster', form) ?? existing?.spec.cluster;
  const name = Form.useWatch('name', form);
  const view = clusters.find((c) => c.cluster === cluster);
  // A tenant with quota on one cluster only: that is the cluster.
  const only = !existing && clusters.length === 1 ? clusters[0]?.cluster : undefined;
  useEffect(() => {
    if (only && !form.getFieldValue('cluster')) form.setFieldValue('cluster', only);
  }, [form, only]);
  const save = useMutation({
    mutationFn: (v: Values) => {
      const hard = Object.fromEntries(
        Object.entries(v.hard ?? {}).flatMap(([k, q]) => (q?.trim() ? [[k, q.trim()]] : [])),
      );
      const named = {
        displayName: v.displayName?.trim() || undefined,
        description: v.description?.trim() || undefined,
      };
      // A resize is a merge patch of the spec (the controller writes the status meanwhile): keys left empty
      // are removed (null), the others set.
      const dropped = Object.keys(existing?.spec.hard ?? {}).filter((k) => !(k in hard));
      return existing
        ? api.patch<Partition>(`/api/v1/partitions/${enc(existing.metadata.name)}`, {
            spec: {
              displayName: named.displayName ?? null,
              description: named.description ?? null,
              hard: { ...Object.fromEntries(dropped.map((k) => [k, null])), ...hard },
            },
          })
        : api.post<Partition>('/api/v1/partitions', {
            metadata: { name: v.name },
            spec: { tenant, cluster: v.cluster, namespace: v.namespace?.trim() || undefined, ...named, hard },
          });
    },
    onMutate: () => setGeneral(null),
    onError: (err) => {
      if (!showMappedFieldError(form, err, fieldOf)) setGeneral(err);
    },
    onSuccess: (p) => void navigate(`/partitions/${p.metadata.name}`),
    onSettled: () => qc.invalidateQueries({ queryKey: ['management'] }),
  });

  const title = existing
    ? t('partitions.resizeTitle', { name: existing.metadata.name })
    : t('partitions.createTitle');
  return (
    <>
      <PageHeader
        title={
          <Space>
            <Link to="/partitions">{t('partitions.title')}</Link>/<span>{title}</span>
          </Space>
        }
      >
        <Typography.Text type="secondary">{t('partitions.createIntro', { tenant })}</Typography.Text>
      </PageHeader>
      {quota.error && <ErrorState compact error={quota.error} onRetry={() => void quota.refetch()} />}
      {general && <Alert type="error" showIcon title={general.message} style={{ marginBottom: 16 }} />}
      <Form<Values>
        form={form}
        layout="vertical"
        data-testid="partition-form"
        style={{ maxWidth: 900 }}
        initialValues={
          existing
            ? {
                name: existing.metadata.name,
                cluster: existing.spec.cluster,
                namespace: existing.spec.namespace,
                displayName: existing.spec.displayName,
                description: existing.spec.description,
                hard: existing.spec.hard,
              }
            : undefined
        }
        onFinish={(v) => save.mutate(v)}
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name="name"
              label={t('partitions.name')}
              rules={nameRules(t)}
              extra={existing ? undefined : t('forms.nameHelp')}
            >
              <Input disabled={!!existing} autoFocus={!existing} data-testid="partition-name" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="cluster"
              label={t('partitions.cluster')}
              rules={[{ required: true, message: t('tenants.clusterRequired') }]}
            >
              <Select
                data-testid="partition-cluster"
                disabled={!!existing}
                loading={quota.isLoading}
                placeholder={t('nodes.chooseCluster')}
                notFoundContent={t('partitions.noClusters')}
                options={clusters.map((c) => ({ value: c.cluster, label: c.cluster }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="namespace"
              label={t('partitions.namespace')}
              extra={existing ? undefined : t('partitions.namespaceHelp')}
              rules={[
                { max: 63 },
                { pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, message: t('forms.nameInvalid') },
              ]}
            >
              <Input
                disabled={!!existing}
                placeholder={name || undefined}
                data-testid="partition-namespace"
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="displayName" label={t('common.displayName')} rules={[{ max: 128 }]}>
              <Input />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="description" label={t('common.description')} rules={[{ max: 2048 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        {view ? (
          <ShareFields view={view} existing={existing} />
        ) : (
          cluster === undefined && (
            <Typography.Paragraph type="secondary">{t('partitions.chooseClusterFirst')}</Typography.Paragraph>
          )
        )}
        <Flex gap={8}>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="partition-submit">
            {existing ? t('partitions.resize') : t('partitions.create')}
          </Button>
          <Button
            onClick={() => void navigate(existing ? `/partitions/${existing.metadata.name}` : '/partitions')}
          >
            {t('common.cancel')}
          </Button>
        </Flex>
      </Form>
    </>
  );
}

/**
 * The tenant's quota on the cluster (remaining of total, as the seed's "Cluster resources") and the share to
 * take of each: at most what remains, plus (when resizing) what this partition holds already.
 */
function ShareFields({ view, existing }: { view: ClusterQuotaView; existing?: Partition }) {
  const { t } = useTranslation();
  const quantity = quantityRule(t);
  const resources = [...view.resources].sort((a, b) => byResourceOrder(a.resource, b.resource));
  const own = view.partitions.find((p) => p.name === existing?.metadata.name);
  const maxOf = (resource: string, remaining: string) =>
    (parseMilli(remaining) ?? 0n) +
    (parseMilli(own?.resources.find((r) => r.resource === resource)?.allocated) ?? 0n);
  return (
    <>
      <Card
        size="small"
        title={t('partitions.clusterResources', { cluster: view.cluster })}
        style={{ marginBottom: 16 }}
      >
        <Descriptions size="small" column={{ xs: 1, md: 2 }} data-testid="cluster-resources">
          {resources.map((r) => (
            <Descriptions.Item key={r.resource} label={resourceLabel(t, r.resource)}>
              <span data-testid={`remaining-${r.resource}`}>
                {formatAmounts(t, r.resource, [r.remaining, r.total])}
              </span>
            </Descriptions.Item>
          ))}
        </Descriptions>
        <Typography.Text type="secondary">{t('partitions.remainingHelp')}</Typography.Text>
      </Card>
      {resources.length === 0 && (
        <Alert type="warning" showIcon title={t('partitions.noQuotaHere')} style={{ marginBottom: 16 }} />
      )}
      <Row gutter={16}>
        {resources.map((r) => (
          <Col key={r.resource} xs={24} sm={12} lg={8}>
            <Form.Item
              name={['hard', r.resource]}
              label={resourceLabel(t, r.resource)}
              tooltip={r.resource}
              rules={[
                quantity,
                {
                  validator: async (_, v: string | undefined) => {
                    const want = parseMilli(v?.trim() || undefined);
                    if (want === undefined) return;
                    const max = maxOf(r.resource, r.remaining);
                    if (want > max) {
                      throw new Error(
                        t('partitions.overQuota', {
                          amount: v?.trim(),
                          remaining: formatAmounts(t, r.resource, [`${max}m`]),
                          cluster: view.cluster,
                        }),
                      );
                    }
                  },
                },
              ]}
            >
              <Input placeholder={r.remaining} allowClear />
            </Form.Item>
          </Col>
        ))}
      </Row>
    </>
  );
}
