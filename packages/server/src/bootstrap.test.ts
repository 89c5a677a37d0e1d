import { describe, expect, it } from 'vitest';
import type { CredentialStore } from './auth/credentials.js';
import { verifyPassword } from './auth/passwords.js';
import { adminPasswordNotice, ensureAdmin } from './bootstrap.js';
import type { PlatformObjects } from './kube/management.js';

/** A management cluster with no admin yet: what ensureAdmin writes, and the password hash it stores. */
function firstStart() {
  const stored: { hash?: string } = {};
  const objects = {
    get: () => Promise.reject(Object.assign(new Error('not found'), { status: 404 })),
    create: () => Promise.resolve({}),
    apply: () => Promise.resolve({}),
  } as unknown as PlatformObjects;
  const credentials = {
    setPassword: (_user: string, hash: string) => {
      stored.hash = hash;
      return Promise.resolve();
    },
  } as unknown as CredentialStore;
  return { objects, credentials, stored };
}

describe('the admin password on first start', () => {
  it('is returned (to print once) when the server generated it', async () => {
    const { objects, credentials, stored } = firstStart();
    const generated = await ensureAdmin({ objects, credentials });
    expect(generated).toMatch(/^[\w-]{16}$/);
    expect(await verifyPassword(stored.hash, generated ?? '')).toBe(true);
    expect(adminPasswordNotice(generated)).toContain(generated);
  });

  it('is never returned nor shown when the operator chose it (SHIPYARD_ADMIN_PASSWORD)', async () => {
    const { objects, credentials, stored } = firstStart();
    const chosen = 'the-operators-own-password';
    const returned = await ensureAdmin({ objects, credentials, password: chosen });
    expect(returned).toBeUndefined();
    expect(await verifyPassword(stored.hash, chosen)).toBe(true);
    expect(adminPasswordNotice(returned)).not.toContain(chosen);
    expect(adminPasswordNotice(returned)).toMatch(/SHIPYARD_ADMIN_PASSWORD/);
  });
});
