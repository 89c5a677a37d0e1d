/** A tenant's Members tab: its groups (teams) and who is in each; the Default Team has all of them. */
import { useTranslation } from 'react-i18next';
import { sources, type Group } from '../../api/platform';
import { ResourceTable } from '../../components/resource-table';
import { groupColumns } from '../groups/group-columns';

export function TenantMembers({ tenant }: { tenant: string }) {
  const { t } = useTranslation();
  return (
    <ResourceTable<Group>
      testId="tenant-members"
      urlPrefix="m."
      source={sources.groups}
      baseFilter={`spec.tenant=${tenant}`}
      columns={groupColumns(t)}
      rowKey={(g) => g.metadata.name}
      compactErrors
      emptyText={t('groups.empty')}
    />
  );
}
