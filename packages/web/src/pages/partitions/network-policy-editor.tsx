/**
 * The partition's network policy (seed 001 "Modify network configuration"): rules of direction In or Out, a
 * peer (another partition of the tenant on the same cluster, a CIDR, or any), a protocol and a port range,
 * saved into the Partition's spec; the controller renders them as NetworkPolicies in its namespace.
 */
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Flex, Form, Input, InputNumber, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, enc } from '../../api/client';
import { useAll, type Partition } from '../../api/platform';
import { showMappedFieldError } from '../../components/form-errors';
import { isCidr, ruleFieldOf, ruleOf, rowOf, type RuleRow } from './network-rules';
import { RemoveRowButton } from '../../components/remove-row-button';

type Values = { rules?: RuleRow[] };

/**
 * One rule is one row (at 1280 wide too): its columns are named once, above the rows, and each control carries
 * its name for screen readers; a peer's partition or CIDR takes one column of fixed width.
 */
const widths = { direction: 90, peer: 120, target: 200, protocol: 90, port: 100, dash: 12 };
const cell = { marginBottom: 8 };

export function NetworkPolicyEditor({ partition }: { partition: Partition }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [general, setGeneral] = useState<Error | null>(null);
  const { tenant, cluster } = partition.spec;
  const peers = useAll<Partition>('partitions', `spec.tenant=${tenant},spec.cluster=${cluster}`);
  const rows = Form.useWatch('rules', form);
  const save = useMutation({
    mutationFn: (v: Values) =>
      api.patch<Partition>(`/api/v1/partitions/${enc(partition.metadata.name)}`, {
        spec: { networkPolicy: { rules: (v.rules ?? []).map(ruleOf) } },
      }),
    onMutate: () => setGeneral(null),
    onError: (err) => {
      if (!showMappedFieldError(form, err, ruleFieldOf)) setGeneral(err);
    },
    onSuccess: () => void message.success(t('network.saved')),
    onSettled: () => qc.invalidateQueries({ queryKey: ['management', 'partitions'] }),
  });
  const portRule = { type: 'integer' as const, min: 1, max: 65535, message: t('quota.portInvalid') };
  return (
    <>
      <Alert type="warning" showIcon title={t('network.warning')} style={{ marginBottom: 16 }} />
      {general && <Alert type="error" showIcon title={general.message} style={{ marginBottom: 16 }} />}
      <Form<Values>
        form={form}
        data-testid="network-policy"
        initialValues={{ rules: (partition.spec.networkPolicy?.rules ?? []).map(rowOf) }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.List name="rules">
          {(fields, { add, remove }) => (
            <>
              {fields.length === 0 ? (
                <Typography.Paragraph type="secondary">{t('network.none')}</Typography.Paragraph>
              ) : (
                <Flex gap={8} style={{ marginBottom: 4 }} data-testid="rule-header">
                  {(
                    [
                      ['direction', t('network.direction')],
                      ['peer', t('network.peer')],
                      ['target', `${t('network.partition')} / ${t('network.cidr')}`],
                      ['protocol', t('network.protocol')],
                      ['port', t('network.ports')],
                    ] as const
                  ).map(([k, label]) => (
                    <Typography.Text key={k} type="secondary" style={{ width: widths[k], flex: 'none' }}>
                      {label}
                    </Typography.Text>
                  ))}
                </Flex>
              )}
              {fields.map((f) => {
                const peer = rows?.[f.name]?.peer;
                return (
                  <Flex key={f.key} gap={8} align="start" data-testid={`rule-${f.name}`}>
                    <Form.Item name={[f.name, 'direction']} style={cell}>
                      <Select
                        style={{ width: widths.direction }}
                        aria-label={t('network.direction')}
                        options={[
                          { value: 'In', label: t('network.in') },
                          { value: 'Out', label: t('network.out') },
                        ]}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'peer']} style={cell}>
                      <Select
                        style={{ width: widths.peer }}
                        aria-label={t('network.peer')}
                        options={[
                          { value: 'partition', label: t('network.peers.partition') },
                          { value: 'cidr', label: t('network.peers.cidr') },
                          { value: 'any', label: t('network.peers.any') },
                        ]}
                      />
                    </Form.Item>
                    {peer === 'partition' && (
                      <Form.Item
                        name={[f.name, 'partition']}
                        style={{ ...cell, width: widths.target }}
                        rules={[{ required: true, message: t('network.partitionRequired') }]}
                      >
                        <Select
                          data-testid={`rule-${f.name}-partition`}
                          showSearch={{ optionFilterProp: 'label' }}
                          style={{ width: widths.target }}
                          aria-label={t('network.partition')}
                          loading={peers.isLoading}
                          options={(peers.data?.items ?? [])
                            .filter((x) => x.metadata.name !== partition.metadata.name)
                            .map((x) => ({ value: x.metadata.name, label: x.metadata.name }))}
                        />
                      </Form.Item>
                    )}
                    {peer === 'cidr' && (
                      <Form.Item
                        name={[f.name, 'cidr']}
                        style={{ ...cell, width: widths.target }}
                        rules={[
                          { required: true, message: t('network.cidrInvalid') },
                          {
                            validator: async (_, v: string | undefined) => {
                              if (v && !isCidr(v.trim())) throw new Error(t('network.cidrInvalid'));
                            },
                          },
                        ]}
                      >
                        <Input
                          placeholder="192.168.1.0/24"
                          aria-label={t('network.cidr')}
                          style={{ width: widths.target }}
                        />
                      </Form.Item>
                    )}
                    {peer !== 'partition' && peer !== 'cidr' && <div style={{ width: widths.target }} />}
                    <Form.Item name={[f.name, 'protocol']} style={cell}>
                      <Select
                        style={{ width: widths.protocol }}
                        aria-label={t('network.protocol')}
                        options={['TCP', 'UDP', 'SCTP'].map((p) => ({ value: p, label: p }))}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'portFrom']}
                      style={{ ...cell, width: widths.port }}
                      rules={[portRule]}
                    >
                      <InputNumber
                        min={1}
                        max={65535}
                        placeholder="4000"
                        aria-label={t('network.ports')}
                        style={{ width: widths.port }}
                      />
                    </Form.Item>
                    <Typography.Text style={{ width: widths.dash, lineHeight: '32px', textAlign: 'center' }}>
                      –
                    </Typography.Text>
                    <Form.Item
                      name={[f.name, 'portTo']}
                      style={{ ...cell, width: widths.port }}
                      dependencies={[['rules', f.name, 'portFrom']]}
                      rules={[
                        portRule,
                        ({ getFieldValue }) => ({
                          validator: async (_, to: number | null | undefined) => {
                            const from = getFieldValue(['rules', f.name, 'portFrom']) as
                              number | null | undefined;
                            if (to != null && from == null) throw new Error(t('quota.portFromFirst'));
                            if (to != null && from != null && to < from)
                              throw new Error(t('quota.portOrder'));
                          },
                        }),
                      ]}
                    >
                      <InputNumber
                        min={1}
                        max={65535}
                        placeholder="6000"
                        aria-label={t('network.portTo')}
                        style={{ width: widths.port }}
                      />
                    </Form.Item>
                    <RemoveRowButton onRemove={() => remove(f.name)} />
                  </Flex>
                );
              })}
              <Form.Item>
                <Button
                  icon={<PlusOutlined />}
                  onClick={() =>
                    add({ direction: 'In', peer: 'partition', protocol: 'TCP' } satisfies RuleRow)
                  }
                >
                  {t('network.add')}
                </Button>
              </Form.Item>
            </>
          )}
        </Form.List>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="network-save">
          {t('common.save')}
        </Button>
      </Form>
    </>
  );
}
