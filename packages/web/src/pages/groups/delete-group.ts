import { api, enc } from '../../api/client';
import type { Group, RoleTemplateBinding } from '../../api/platform';

/**
 * Deletes a group and, first, the grants to it: the API keeps a deleted group's bindings (only a tenant's
 * delete takes them along), and a group made later under the same name would inherit them.
 */
export async function deleteGroup(g: Group): Promise<void> {
  const name = g.metadata.name;
  const bindings = await api.get<{ items: RoleTemplateBinding[] }>('/api/v1/roletemplatebindings', {
    pageSize: 1000,
    filter: `spec.subject.kind=Group,spec.subject.name=${name}`,
  });
  for (const b of bindings.items) await api.del(`/api/v1/roletemplatebindings/${enc(b.metadata.name)}`);
  await api.del(`/api/v1/groups/${enc(name)}`);
}
