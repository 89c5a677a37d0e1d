import { describe, expect, it } from 'vitest';
import type { Tenant } from '../../api/platform';
import { fieldOfApiPath, specOf, valuesOf, type TenantFormValues } from './tenant-form-model';

const values: TenantFormValues = {
  name: 'qa',
  displayName: ' QA ',
  description: '',
  clusters: [
    {
      cluster: 'east',
      cpuRequest: '4',
      cpuLimit: '20',
      memoryRequest: '8Gi',
      memoryLimit: ' ',
      storage: [{ storageClass: 'heketi', count: '5', capacity: '30Gi' }, { storageClass: '' }],
      other: [{ resource: 'count/services', amount: '10' }],
      l4From: 20000,
      l4To: 21000,
      l7: true,
    },
    { cluster: 'west', gpu: '2', l4From: 8080, l4To: 8080 },
  ],
};

const spec: Tenant['spec'] = {
  displayName: 'QA',
  clusters: [
    {
      cluster: 'east',
      hard: {
        'requests.cpu': '4',
        'limits.cpu': '20',
        'requests.memory': '8Gi',
        'heketi.storageclass.storage.k8s.io/persistentvolumeclaims': '5',
        'heketi.storageclass.storage.k8s.io/requests.storage': '30Gi',
        'count/services': '10',
      },
      loadBalancer: { l4PortRange: '20000-21000', l7: true },
    },
    {
      cluster: 'west',
      hard: { 'requests.nvidia.com/gpu': '2' },
      loadBalancer: { l4PortRange: '8080', l7: false },
    },
  ],
};

describe('the tenant form', () => {
  it('makes the spec the API takes', () => {
    expect(specOf(values)).toEqual(spec);
  });

  it('reads a tenant back into the same rows', () => {
    const t = {
      apiVersion: 'shipyard.dev/v1alpha1',
      kind: 'Tenant',
      metadata: { name: 'qa' },
      spec,
    } as Tenant;
    const back = valuesOf(t);
    expect(specOf(back)).toEqual(spec);
    expect(back.clusters?.[0]?.storage).toEqual([{ storageClass: 'heketi', count: '5', capacity: '30Gi' }]);
    expect(back.clusters?.[1]).toMatchObject({ gpu: '2', l4From: 8080, l4To: 8080, l7: false });
  });

  it("puts the API's errors at the fields that show them", () => {
    const at = (path: (string | number)[]) => fieldOfApiPath(path, values);
    expect(at(['metadata', 'name'])).toEqual(['name']);
    expect(at(['spec', 'clusters', 0, 'hard', 'requests.cpu'])).toEqual(['clusters', 0, 'cpuRequest']);
    expect(at(['spec', 'clusters', 1, 'hard', 'requests.nvidia.com/gpu'])).toEqual(['clusters', 1, 'gpu']);
    expect(
      at(['spec', 'clusters', 0, 'hard', 'heketi.storageclass.storage.k8s.io/requests.storage']),
    ).toEqual(['clusters', 0, 'storage', 0, 'capacity']);
    expect(at(['spec', 'clusters', 0, 'hard', 'count/services'])).toEqual([
      'clusters',
      0,
      'other',
      0,
      'amount',
    ]);
    expect(at(['spec', 'clusters', 1, 'loadBalancer', 'l4PortRange'])).toEqual(['clusters', 1, 'l4From']);
    expect(at(['spec', 'clusters', 1, 'cluster'])).toEqual(['clusters', 1, 'cluster']);
    expect(at(['spec', 'clusters', 0, 'hard', 'nothing'])).toBeUndefined();
    expect(at(['status'])).toBeUndefined();
  });
});
