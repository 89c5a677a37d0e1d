import { randomBytes } from 'node:crypto';
import { apiVersion, kinds } from '@shipyard/api';
import { hashPassword } from './auth/passwords.js';
import type { CredentialStore } from './auth/credentials.js';
import { builtinTemplates } from './authz/builtin-templates.js';
import { kindPath, type PlatformObjects } from './kube/management.js';

/** Converges the built-in role templates (server-side apply: edits by hand are put back). */
export async function ensureBuiltinTemplates(objects: PlatformObjects): Promise<void> {
  await Promise.all(
    builtinTemplates.map((t) =>
      objects.apply(
        kindPath(kinds.RoleTemplate, t.name),
        {
          apiVersion,
          kind: 'RoleTemplate',
          metadata: { name: t.name, labels: { 'shipyard.dev/builtin': 'true' } },
          spec: {
            displayName: t.displayName,
            description: t.description,
            level: t.level,
            rules: t.rules,
            builtin: true,
          },
        },
        `role template ${t.name}`,
      ),
    ),
  );
}

/**
 * On first start: the `admin` user with a platform-admin binding, and its password (SHIPYARD_ADMIN_PASSWORD,
 * or random). Returns the password when this call created the user with one it generated (print it once),
 * else undefined: a password the operator chose is theirs already, and is never printed or logged.
 */
export async function ensureAdmin(opts: {
  objects: PlatformObjects;
  credentials: CredentialStore;
  password?: string;
}): Promise<string | undefined> {
  const { objects, credentials } = opts;
  const existing = await objects.get(kinds.User, 'admin').catch((e: { status?: number }) => {
    if (e.status === 404) return undefined;
    throw e;
  });
  let created: string | undefined;
  if (!existing) {
    const generated = opts.password === undefined ? randomBytes(12).toString('base64url') : undefined;
    const password = opts.password ?? generated ?? '';
    const hash = await hashPassword(password);
    const made = await objects
      .create(kinds.User, {
        apiVersion,
        kind: 'User',
        metadata: { name: 'admin' },
        spec: { displayName: 'Administrator', disabled: false, source: 'local' },
      })
      .then(
        () => true,
        (e: { status?: number }) => {
          if (e.status === 409) return false; // another replica made it first
          throw e;
        },
      );
    // Only the replica that made the user sets its password, so the one printed is the one that works.
    if (made) {
      await credentials.setPassword('admin', hash);
      created = generated;
    }
  }
  await objects.apply(
    kindPath(kinds.RoleTemplateBinding, 'admin-platform-admin'),
    {
      apiVersion,
      kind: 'RoleTemplateBinding',
      metadata: { name: 'admin-platform-admin', labels: { 'shipyard.dev/builtin': 'true' } },
      spec: {
        subject: { kind: 'User', name: 'admin' },
        roleTemplate: 'platform-admin',
        scope: { level: 'platform' },
      },
    },
    'binding admin-platform-admin',
  );
  return created;
}

/** What `npm start` and `shipyard server` say about the admin's password: the generated one, once, or where it is. */
export function adminPasswordNotice(generated: string | undefined): string {
  return generated
    ? `admin password: ${generated}  (generated and shown once; set SHIPYARD_ADMIN_PASSWORD to choose it)`
    : 'sign in as admin with the password you set in SHIPYARD_ADMIN_PASSWORD, or the one printed on the first start';
}
