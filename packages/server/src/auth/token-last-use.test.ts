// An API token's last use is recorded on its Secret at most once a minute, whatever the number of requests.
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CredentialStore } from './credentials.js';

type Patch = { name: string; body: { op: string; path: string; value: string }[] };

/** A store over one Secret kept in memory; patches are counted and applied to it. */
async function storeWithToken() {
  const secrets = new Map<string, V1Secret>();
  const patches: Patch[] = [];
  const core = {
    createNamespacedSecret: async ({ body }: { body: V1Secret }) => {
      const data = Object.fromEntries(
        Object.entries(body.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      );
      const made: V1Secret = {
        ...body,
        data,
        metadata: { ...body.metadata, creationTimestamp: new Date() },
      };
      secrets.set(body.metadata?.name ?? '', made);
      return made;
    },
    readNamespacedSecret: async ({ name }: { name: string }) => secrets.get(name),
    patchNamespacedSecret: async (p: Patch) => {
      patches.push(p);
      const s = secrets.get(p.name);
      const at = p.body[0]?.value;
      if (s?.metadata && at)
        s.metadata.annotations = { ...s.metadata.annotations, 'shipyard.dev/last-used': at };
      return s;
    },
  } as unknown as CoreV1Api;
  const store = new CredentialStore(core, 'shipyard-system', {
    get: (name) => secrets.get(name),
    list: () => [...secrets.values()],
  });
  const { token, credential } = await store.issue({ kind: 'token', user: 'ana', name: 'ci' });
  return { store, token, credential, patches };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('API token last use', () => {
  it('is written on first use, then at most once a minute, and listed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T10:00:00Z'));
    const { store, token, patches } = await storeWithToken();
    expect(store.listFor('ana', 'token')[0]?.lastUsedAt).toBeUndefined();

    for (let i = 0; i < 5; i++) expect(await store.verify(token, 'token')).toBeDefined();
    expect(patches).toHaveLength(1);
    expect(patches[0]?.body).toEqual([
      { op: 'add', path: '/metadata/annotations/shipyard.dev~1last-used', value: '2026-01-01T10:00:00.000Z' },
    ]);
    expect(store.listFor('ana', 'token')[0]?.lastUsedAt).toBe('2026-01-01T10:00:00.000Z');

    vi.setSystemTime(new Date('2026-01-01T10:00:59Z'));
    await store.verify(token, 'token');
    expect(patches).toHaveLength(1);
    vi.setSystemTime(new Date('2026-01-01T10:01:01Z'));
    await store.verify(token, 'token');
    await store.verify(token, 'token');
    expect(patches).toHaveLength(2);
    expect(store.listFor('ana', 'token')[0]?.lastUsedAt).toBe('2026-01-01T10:01:01.000Z');
  });

  it('is not written for a wrong secret or for sessions', async () => {
    const { store, token, patches } = await storeWithToken();
    expect(
      await store.verify(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), 'token'),
    ).toBeUndefined();
    const session = await store.issue({ kind: 'session', user: 'ana' });
    expect(await store.verify(session.token, 'session')).toBeDefined();
    expect(patches).toHaveLength(0);
  });
});
