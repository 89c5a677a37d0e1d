/**
 * One cluster's row of a tenant's quota (seed 000's Resource Quotas, as a form): the cluster, CPU and memory
 * requests and limits, pods, GPUs, volumes per storage class (how many, how much), any other ResourceQuota
 * key, and load balancing (an L4 port range, L7 on or off).
 */
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  AutoComplete,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { useClusterNames, useStorageClasses } from '../../api/platform';
import { quantityRule } from './quota-validators';
import { knownResources, resourceNamePattern, storageClassPattern } from './resources';
import type { TenantFormValues } from './tenant-form-model';
import { RemoveRowButton } from '../../components/remove-row-button';

type Props = { index: number; onRemove: () => void };

export function ClusterQuotaCard({ index, onRemove }: Props) {
  const { t } = useTranslation();
  const clusters = useClusterNames();
  const form = Form.useFormInstance<TenantFormValues>();
  const quantity = quantityRule(t);
  // The chosen cluster's storage classes are offered (any other name may still be typed).
  const classes = useStorageClasses(
    Form.useWatch(['clusters', index, 'cluster'], form) as string | undefined,
  );
  const row = (name: (string | number)[]) => ['clusters', index, ...name];
  const otherKeys = (name: string | undefined, at: number) =>
    (form.getFieldValue(['clusters', index, 'other']) as { resource?: string }[] | undefined)?.some(
      (o, j) => j !== at && o?.resource?.trim() === name,
    );
  return (
    <Card
      size="small"
      style={{ marginBottom: 16 }}
      data-testid={`quota-${index}`}
      title={
        <Form.Item
          name={[index, 'cluster']}
          label={t('tenants.cluster')}
          style={{ margin: '8px 0' }}
          rules={[
            { required: true, message: t('tenants.clusterRequired') },
            {
              validator: async (_, v: string | undefined) => {
                const all = (form.getFieldValue('clusters') as { cluster?: string }[] | undefined) ?? [];
                if (v && all.filter((c) => c?.cluster === v).length > 1)
                  throw new Error(t('tenants.clusterTwice'));
              },
            },
          ]}
        >
          <Select
            data-testid={`quota-cluster-${index}`}
            showSearch={{ optionFilterProp: 'label' }}
            style={{ minWidth: 260 }}
            loading={clusters.isLoading}
            placeholder={t('nodes.chooseCluster')}
            options={(clusters.data ?? []).map((c) => ({
              value: c.name,
              label: c.displayName ? `${c.displayName} (${c.name})` : c.name,
            }))}
          />
        </Form.Item>
      }
      extra={
        <Button danger type="text" icon={<DeleteOutlined />} onClick={onRemove}>
          {t('tenants.removeCluster')}
        </Button>
      }
    >
      <Typography.Text strong>{t('quota.computeTitle')}</Typography.Text>
      <Row gutter={16} style={{ marginTop: 8 }}>
        {knownResources.map((r) => (
          <Col key={r.key} xs={24} sm={12} lg={8}>
            <Form.Item name={[index, r.field]} label={t(r.label)} rules={[quantity]} tooltip={r.key}>
              <Input placeholder={r.example} allowClear />
            </Form.Item>
          </Col>
        ))}
      </Row>

      <Typography.Text strong>{t('quota.volumesTitle')}</Typography.Text>
      <Form.List name={[index, 'storage']}>
        {(fields, { add, remove }) => (
          <div style={{ marginTop: 8 }}>
            {fields.map((f) => (
              <Space key={f.key} align="start" wrap>
                <Form.Item
                  name={[f.name, 'storageClass']}
                  label={t('quota.storageClass')}
                  rules={[
                    { required: true, message: t('quota.storageClassRequired') },
                    { pattern: storageClassPattern, message: t('quota.storageClassInvalid') },
                  ]}
                >
                  <AutoComplete
                    placeholder="standard"
                    aria-label={t('quota.storageClass')}
                    style={{ width: 200 }}
                    options={(classes ?? []).map((c) => ({ value: c }))}
                    showSearch={{
                      filterOption: (input, o) => String(o?.value).includes(input.trim()),
                    }}
                  />
                </Form.Item>
                <Form.Item name={[f.name, 'count']} label={t('quota.volumeCount')} rules={[quantity]}>
                  <Input placeholder="5" style={{ width: 120 }} />
                </Form.Item>
                <Form.Item name={[f.name, 'capacity']} label={t('quota.volumeCapacity')} rules={[quantity]}>
                  <Input placeholder="30Gi" style={{ width: 140 }} />
                </Form.Item>
                <RemoveRowButton onRemove={() => remove(f.name)} style={{ marginTop: 30 }} />
              </Space>
            ))}
            <Form.Item>
              <Button icon={<PlusOutlined />} onClick={() => add({})}>
                {t('quota.addStorageClass')}
              </Button>
            </Form.Item>
          </div>
        )}
      </Form.List>

      <Typography.Text strong>{t('quota.otherTitle')}</Typography.Text>
      <Form.List name={[index, 'other']}>
        {(fields, { add, remove }) => (
          <div style={{ marginTop: 8 }}>
            {fields.map((f) => (
              <Space key={f.key} align="start" wrap>
                <Form.Item
                  name={[f.name, 'resource']}
                  label={t('quota.otherKey')}
                  rules={[
                    { required: true, message: t('quota.otherKeyRequired') },
                    { max: 253, pattern: resourceNamePattern, message: t('quota.otherKeyInvalid') },
                    {
                      validator: async (_, v: string | undefined) => {
                        const key = v?.trim();
                        if (knownResources.some((r) => r.key === key))
                          throw new Error(t('quota.otherKeyKnown'));
                        if (key && otherKeys(key, f.name)) throw new Error(t('quota.otherKeyTwice'));
                      },
                    },
                  ]}
                >
                  <Input placeholder="count/services" style={{ width: 280 }} />
                </Form.Item>
                <Form.Item
                  name={[f.name, 'amount']}
                  label={t('quota.amount')}
                  rules={[{ required: true, message: t('quota.amountRequired') }, quantity]}
                >
                  <Input placeholder="10" style={{ width: 140 }} />
                </Form.Item>
                <RemoveRowButton onRemove={() => remove(f.name)} style={{ marginTop: 30 }} />
              </Space>
            ))}
            <Form.Item>
              <Button icon={<PlusOutlined />} onClick={() => add({})}>
                {t('quota.addOther')}
              </Button>
            </Form.Item>
          </div>
        )}
      </Form.List>

      <Typography.Text strong>{t('quota.loadBalancing')}</Typography.Text>
      <Space align="start" wrap style={{ marginTop: 8, display: 'flex' }}>
        <Form.Item
          name={[index, 'l4From']}
          label={t('quota.l4From')}
          rules={[{ type: 'integer', min: 1, max: 65535, message: t('quota.portInvalid') }]}
        >
          <InputNumber min={1} max={65535} placeholder="20000" style={{ width: 140 }} />
        </Form.Item>
        <Form.Item
          name={[index, 'l4To']}
          label={t('quota.l4To')}
          dependencies={[row(['l4From'])]}
          rules={[
            { type: 'integer', min: 1, max: 65535, message: t('quota.portInvalid') },
            ({ getFieldValue }) => ({
              validator: async (_, to: number | null | undefined) => {
                const from = getFieldValue(row(['l4From'])) as number | null | undefined;
                if (to != null && from == null) throw new Error(t('quota.portFromFirst'));
                if (to != null && from != null && to < from) throw new Error(t('quota.portOrder'));
              },
            }),
          ]}
        >
          <InputNumber min={1} max={65535} placeholder="21000" style={{ width: 140 }} />
        </Form.Item>
        <Form.Item name={[index, 'l7']} label={t('quota.l7')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Space>
    </Card>
  );
}
