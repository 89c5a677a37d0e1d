import { describe, expect, it } from 'vitest';
import { parseKubePath } from './kube-path.js';

describe('parseKubePath', () => {
  it.each([
    ['/api/v1/pods', { group: '', resource: 'pods' }],
    [
      '/api/v1/namespaces/web/pods/p1/log?follow=1',
      { group: '', resource: 'pods', namespace: 'web', name: 'p1', subresource: 'log' },
    ],
    [
      '/apis/apps/v1/namespaces/web/deployments/front',
      { group: 'apps', resource: 'deployments', namespace: 'web', name: 'front' },
    ],
    ['/api/v1/namespaces/web', { group: '', resource: 'namespaces', name: 'web' }],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
    ],
    ['/version', { group: '' }],
  ])('%s', (path, want) => {
    expect(parseKubePath(path)).toEqual(want);
  });
});
