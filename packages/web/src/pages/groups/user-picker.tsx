/**
 * Members of a group: users chosen from GET /api/v1/users, or typed by name. Only platform users may list
 * users today (a User lives at the platform scope, so a tenant admin's grant to read users does not reach
 * them): for everyone else the list is empty and names are typed, checked as the API checks a user name.
 */
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAll, type User } from '../../api/platform';

/** What the API accepts as a user name (packages/api meta.ts userName). */
export const userNamePattern = /^[a-z0-9]([-a-z0-9._@]*[a-z0-9])?$/;

type Props = { value?: string[]; onChange?: (v: string[]) => void; disabled?: boolean; id?: string };

export function UserPicker(props: Props) {
  const { t } = useTranslation();
  const users = useAll<User>('users');
  const options = (users.data?.items ?? []).map((u) => ({
    value: u.metadata.name,
    label: u.spec.displayName ? `${u.spec.displayName} (${u.metadata.name})` : u.metadata.name,
  }));
  return (
    <Select
      id={props.id}
      data-testid="group-members"
      mode="tags"
      tokenSeparators={[',', ' ']}
      value={props.value}
      onChange={(v: string[]) => props.onChange?.(v.map((x) => x.trim().toLowerCase()).filter(Boolean))}
      disabled={props.disabled}
      loading={users.isLoading}
      options={options}
      placeholder={t('groups.membersPlaceholder')}
      style={{ width: '100%' }}
    />
  );
}
