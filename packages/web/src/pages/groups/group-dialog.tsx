/**
 * Creating a group of the chosen tenant, or changing one: its names and its members. The Default Team lists
 * no members of its own (it has everyone in the tenant's other groups): its members cannot be edited here,
 * as the API refuses it (422).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, enc } from '../../api/client';
import { sources, type Group } from '../../api/platform';
import { showMappedFieldError } from '../../components/form-errors';
import { nameRules } from '../tenants/quota-validators';
import { UserPicker, userNamePattern } from './user-picker';

type Values = { name: string; displayName?: string; description?: string; members?: string[] };

type Props = { tenant: string; existing?: Group; onClose: (saved?: Group) => void };

const formField: Record<string, string> = {
  'metadata.name': 'name',
  'spec.displayName': 'displayName',
  'spec.description': 'description',
  'spec.members': 'members',
};

export function GroupDialog({ tenant, existing, onClose }: Props) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [general, setGeneral] = useState<Error | null>(null);
  const all = !!existing?.spec.allMembers;
  const save = useMutation({
    mutationFn: (v: Values) => {
      const named = {
        displayName: v.displayName?.trim() || null,
        description: v.description?.trim() || null,
      };
      const members = all ? undefined : (v.members ?? []);
      return existing
        ? api.patch<Group>(`/api/v1/groups/${enc(existing.metadata.name)}`, { spec: { ...named, members } })
        : api.post<Group>('/api/v1/groups', {
            metadata: { name: v.name },
            spec: {
              tenant,
              displayName: named.displayName ?? undefined,
              description: named.description ?? undefined,
              members,
            },
          });
    },
    onMutate: () => setGeneral(null),
    onError: (err) => {
      // spec.members[2] is the members field too.
      const at = (path: (string | number)[]) => {
        const f = formField[path.slice(0, 2).join('.')];
        return f ? [f] : undefined;
      };
      if (!showMappedFieldError(form, err, at)) setGeneral(err);
    },
    onSuccess: (saved) => onClose(saved),
    onSettled: () => qc.invalidateQueries({ queryKey: sources.groups.key }),
  });
  return (
    <Modal
      open
      width={640}
      title={
        existing
          ? t('groups.editTitle', { name: existing.spec.displayName || existing.metadata.name })
          : t('groups.create')
      }
      onCancel={() => onClose()}
      footer={
        <>
          <Button onClick={() => onClose()}>{t('common.cancel')}</Button>
          <Button
            type="primary"
            loading={save.isPending}
            onClick={() => form.submit()}
            data-testid="group-submit"
          >
            {existing ? t('common.save') : t('groups.create')}
          </Button>
        </>
      }
    >
      {general && <Alert type="error" showIcon title={general.message} style={{ marginBottom: 16 }} />}
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={
          existing
            ? {
                name: existing.metadata.name,
                displayName: existing.spec.displayName,
                description: existing.spec.description,
                members: existing.spec.members,
              }
            : { name: `${tenant}-` }
        }
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item
          name="name"
          label={t('common.name')}
          extra={existing ? undefined : t('groups.nameHelp')}
          rules={nameRules(t)}
        >
          <Input disabled={!!existing} autoFocus={!existing} data-testid="group-name" />
        </Form.Item>
        <Form.Item name="displayName" label={t('common.displayName')} rules={[{ max: 128 }]}>
          <Input data-testid="group-display-name" />
        </Form.Item>
        <Form.Item name="description" label={t('common.description')} rules={[{ max: 2048 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item
          name="members"
          label={t('groups.members')}
          extra={all ? t('groups.allMembersHelp') : t('groups.membersHelp')}
          rules={[
            {
              validator: async (_, v: string[] | undefined) => {
                const bad = (v ?? []).find((m) => m.length > 253 || !userNamePattern.test(m));
                if (bad) throw new Error(t('groups.memberInvalid', { name: bad }));
              },
            },
          ]}
        >
          <UserPicker disabled={all} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
