import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  endpointOfUrl,
  formatEndpoint,
  inClusterEndpoint,
  kubeconfigEndpoint,
} from './api-server-endpoint.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agent-endpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kubeconfig = (server: string): string => `apiVersion: v1
kind: Config
clusters:
- {name: other, cluster: {server: 'https://10.9.9.9:6443'}}
- {name: mine, cluster: {server: '${server}'}}
users:
- {name: admin, user: {token: x}}
contexts:
- {name: other, context: {cluster: other, user: admin}}
- {name: mine, context: {cluster: mine, user: admin}}
current-context: mine
`;

describe('endpointOfUrl', () => {
  it('splits an https URL into host and port, 443 by default', () => {
    expect(endpointOfUrl('https://127.0.0.1:6443')).toEqual({ host: '127.0.0.1', port: 6443 });
    expect(endpointOfUrl('https://api.example.com')).toEqual({ host: 'api.example.com', port: 443 });
    expect(endpointOfUrl('https://[fd00::1]:6443/')).toEqual({ host: 'fd00::1', port: 6443 });
  });

  it('refuses plain http and non-URLs', () => {
    expect(() => endpointOfUrl('http://127.0.0.1:8080')).toThrow(/must be https/);
    expect(() => endpointOfUrl('nope')).toThrow(/not a URL/);
  });
});

describe('inClusterEndpoint', () => {
  it('reads the service environment of a pod', () => {
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(inClusterEndpoint(env)).toEqual({ host: '10.96.0.1', port: 443 });
    expect(formatEndpoint(inClusterEndpoint({ KUBERNETES_SERVICE_HOST: 'fd00::1' }))).toBe('[fd00::1]:443');
  });

  it('says what to do outside a cluster', () => {
    expect(() => inClusterEndpoint({})).toThrow(/--kubeconfig/);
    expect(() => inClusterEndpoint({ KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: 'x' })).toThrow(
      /not a port/,
    );
  });
});

describe('kubeconfigEndpoint', () => {
  it("uses the current context's cluster", async () => {
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(file, kubeconfig('https://127.0.0.1:43210'));
    await expect(kubeconfigEndpoint(file)).resolves.toEqual({ host: '127.0.0.1', port: 43210 });
  });

  it('names the file it cannot read', async () => {
    await expect(kubeconfigEndpoint(path.join(dir, 'missing'))).rejects.toThrow(/missing/);
  });
});
