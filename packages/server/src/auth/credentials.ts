import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { fromKube } from '../kube/errors.js';

/**
 * Sessions, API tokens, cluster registration and agent tokens, and password hashes, each a Secret in the
 * server's namespace of the management cluster, so every replica sees them and revoking one is deleting it.
 * Only hashes are stored: a token is shown once, when it is made.
 */
export type CredentialKind = 'session' | 'token' | 'registration' | 'agent';
export type Credential = {
  id: string;
  kind: CredentialKind;
  /** A user's name; for a cluster's registration and agent tokens, `system:agent:<cluster>`. */
  user: string;
  /** Registration and agent tokens: the cluster they belong to; a kubeconfig's API token: its cluster. */
  cluster?: string;
  name?: string;
  expiresAt?: string;
  createdAt: string;
  /** Sessions only: the token a browser must echo in X-CSRF-Token on mutating calls. */
  csrf?: string;
  /** API tokens: when one was last used, to the minute (kept at most once a minute). */
  lastUsedAt?: string;
};
export type SecretReader = { get(name: string): V1Secret | undefined; list(): readonly V1Secret[] };

export const credentialLabel = 'shipyard.dev/credential';
const clusterLabel = 'shipyard.dev/cluster';
const userAnnotation = 'shipyard.dev/user';
const lastUsedAnnotation = 'shipyard.dev/last-used';
/** How often the last use of one API token is written, at most. */
const lastUseEveryMs = 60_000;
const prefix: Record<CredentialKind, string> = {
  session: 'sys',
  token: 'syt',
  registration: 'syr',
  agent: 'sya',
};
const kinds = new Set<string>(Object.keys(prefix));
const isKind = (k: string | undefined): k is CredentialKind => k !== undefined && kinds.has(k);
/** The user name under which a cluster's agent credentials are kept and audited. */
export const agentUser = (cluster: string) => `system:agent:${cluster}`;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const userKey = (user: string) => sha256(user).slice(0, 20);
const b64 = (s: string | undefined) =>
  s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');

export function passwordSecretName(user: string): string {
  return `password-${userKey(user)}`;
}

/** The name of the Secret that holds a credential. */
export function credentialSecretName(kind: CredentialKind, id: string): string {
  return `${kind}-${id}`;
}

function toCredential(s: V1Secret): Credential | undefined {
  const kind = s.metadata?.labels?.[credentialLabel];
  if (!isKind(kind)) return undefined;
  const d = s.data ?? {};
  const user = b64(d.user);
  // Kept to the millisecond in the data (creationTimestamp has whole seconds): lists order by it.
  const createdAt = b64(d.createdAt) ?? s.metadata?.creationTimestamp;
  if (!user) return undefined;
  return {
    id: s.metadata?.name?.slice(kind.length + 1) ?? '',
    kind,
    user,
    cluster: b64(d.cluster),
    name: b64(d.name),
    expiresAt: b64(d.expiresAt),
    createdAt: createdAt ? new Date(createdAt).toISOString() : '',
    csrf: b64(d.csrf),
    lastUsedAt: s.metadata?.annotations?.[lastUsedAnnotation],
  };
}

export class CredentialStore {
  /** Secrets this replica deleted, until its informer has surely seen them go: refused at once meanwhile. */
  private readonly revoked = new Map<string, number>();
  /** API tokens whose last use this replica wrote, and when: at most one write a minute per token. */
  private readonly lastUseWritten = new Map<string, number>();

  constructor(
    private readonly core: CoreV1Api,
    private readonly namespace: string,
    private readonly secrets: SecretReader,
  ) {}

  /** Makes a session or token for a user; returns the secret string (shown once) and what was stored. */
  async issue(opts: {
    kind: CredentialKind;
    user: string;
    cluster?: string;
    name?: string;
    ttlSeconds?: number;
  }) {
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = opts.ttlSeconds
      ? new Date(Date.now() + opts.ttlSeconds * 1000).toISOString()
      : undefined;
    const csrf = opts.kind === 'session' ? randomBytes(24).toString('base64url') : undefined;
    const stringData: Record<string, string> = {
      user: opts.user,
      hash: sha256(secret),
      createdAt: new Date().toISOString(),
    };
    if (opts.name) stringData.name = opts.name;
    if (opts.cluster) stringData.cluster = opts.cluster;
    if (expiresAt) stringData.expiresAt = expiresAt;
    if (csrf) stringData.csrf = csrf;
    const created = await this.core
      .createNamespacedSecret({
        namespace: this.namespace,
        body: {
          metadata: {
            name: credentialSecretName(opts.kind, id),
            labels: {
              [credentialLabel]: opts.kind,
              'shipyard.dev/user-key': userKey(opts.user),
              ...(opts.cluster ? { [clusterLabel]: opts.cluster } : {}),
            },
            annotations: { [userAnnotation]: opts.user },
          },
          type: 'shipyard.dev/credential',
          stringData,
        },
      })
      .catch((e: unknown) => {
        throw fromKube(e, `${opts.kind} secret`);
      });
    const credential = toCredential(created);
    if (!credential) throw new Error('created credential secret is unreadable');
    return { token: `${prefix[opts.kind]}_${id}_${secret}`, credential };
  }

  /** The live credential a token string stands for, or undefined (unknown, wrong, expired). */
  async verify(token: string, kind: CredentialKind): Promise<Credential | undefined> {
    const m = /^(sy[stra])_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m || m[1] !== prefix[kind]) return undefined;
    const [, , id = '', secret = ''] = m;
    const name = credentialSecretName(kind, id);
    if (this.revoked.has(name)) return undefined;
    // The cache may not have a just-made session yet: ask the apiserver on a miss.
    const s =
      this.secrets.get(name) ??
      (await this.core.readNamespacedSecret({ name, namespace: this.namespace }).catch(() => undefined));
    const stored = b64(s?.data?.hash);
    if (!s || !stored) return undefined;
    const want = Buffer.from(stored, 'hex');
    const got = Buffer.from(sha256(secret), 'hex');
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    const credential = toCredential(s);
    if (!credential || credential.kind !== kind) return undefined;
    if (credential.expiresAt && Date.parse(credential.expiresAt) <= Date.now()) return undefined;
    if (kind === 'token') this.noteUse(name, credential.lastUsedAt);
    return credential;
  }

  /**
   * Records that an API token was used, on its Secret (annotation shipyard.dev/last-used), unless it was
   * recorded less than a minute ago (as stored, or by this replica): one write a minute per token at most. The
   * request does not wait for it; a failed write is tried again on a later use.
   */
  private noteUse(name: string, stored: string | undefined): void {
    const now = Date.now();
    const last = Math.max(Date.parse(stored ?? '') || 0, this.lastUseWritten.get(name) ?? 0);
    if (now - last < lastUseEveryMs) return;
    for (const [n, at] of this.lastUseWritten) if (at < now - lastUseEveryMs) this.lastUseWritten.delete(n);
    this.lastUseWritten.set(name, now);
    const patch = [
      {
        op: 'add',
        path: `/metadata/annotations/${lastUsedAnnotation.replace('/', '~1')}`,
        value: new Date(now).toISOString(),
      },
    ];
    this.core.patchNamespacedSecret({ name, namespace: this.namespace, body: patch }).catch(() => {
      // Revoked meanwhile, or the apiserver busy: nothing to undo, a later use writes it.
      this.lastUseWritten.delete(name);
    });
  }

  /** A user's credentials of a kind (never their hashes). */
  listFor(user: string, kind: CredentialKind): Credential[] {
    const key = userKey(user);
    return this.secrets
      .list()
      .filter((s) => s.metadata?.labels?.['shipyard.dev/user-key'] === key)
      .map(toCredential)
      .filter((c): c is Credential => c !== undefined && c.kind === kind && c.user === user);
  }

  /** A credential by id (from the cache, or the apiserver when it was made a moment ago). */
  async get(kind: CredentialKind, id: string): Promise<Credential | undefined> {
    if (!/^[0-9a-f]{12}$/.test(id)) return undefined;
    const name = credentialSecretName(kind, id);
    if (this.revoked.has(name)) return undefined;
    const s =
      this.secrets.get(name) ??
      (await this.core.readNamespacedSecret({ name, namespace: this.namespace }).catch(() => undefined));
    const c = s ? toCredential(s) : undefined;
    return c?.kind === kind ? c : undefined;
  }

  /**
   * Verifies a one-time credential and uses it up: it is deleted with its uid as precondition, so of two
   * concurrent uses (on any replicas) exactly one succeeds. Undefined when unknown, wrong, expired or used.
   */
  async consume(token: string, kind: CredentialKind): Promise<Credential | undefined> {
    const credential = await this.verify(token, kind);
    if (!credential) return undefined;
    const name = credentialSecretName(kind, credential.id);
    const uid = this.secrets.get(name)?.metadata?.uid;
    const deleted = await this.core
      .deleteNamespacedSecret({
        name,
        namespace: this.namespace,
        body: uid ? { preconditions: { uid } } : undefined,
      })
      .then(
        () => true,
        (e: { code?: number }) => {
          if (e.code === 404 || e.code === 409) return false;
          throw fromKube(e, `${kind} ${credential.id}`);
        },
      );
    return deleted ? credential : undefined;
  }

  /** The credentials of a kind that belong to a cluster. */
  listForCluster(cluster: string, kind: CredentialKind): Credential[] {
    return this.secrets
      .list()
      .filter((s) => s.metadata?.labels?.[clusterLabel] === cluster)
      .map(toCredential)
      .filter((c): c is Credential => c?.kind === kind && c.cluster === cluster);
  }

  async revoke(kind: CredentialKind, id: string): Promise<void> {
    const name = credentialSecretName(kind, id);
    await this.core.deleteNamespacedSecret({ name, namespace: this.namespace }).catch((e: unknown) => {
      throw fromKube(e, `${kind} ${id}`);
    });
    const now = Date.now();
    for (const [n, at] of this.revoked) if (at < now - 5 * 60_000) this.revoked.delete(n);
    this.revoked.set(name, now);
  }

  /**
   * A user's credentials of a kind as the apiserver has them now, not as the cache does: revocations must
   * reach one made a moment ago (on any replica).
   */
  async listCurrent(user: string, kind: CredentialKind): Promise<Credential[]> {
    const list = await this.core
      .listNamespacedSecret({
        namespace: this.namespace,
        labelSelector: `${credentialLabel}=${kind},shipyard.dev/user-key=${userKey(user)}`,
      })
      .catch((e: unknown) => {
        throw fromKube(e, `${kind} secrets of ${user}`);
      });
    return list.items
      .map(toCredential)
      .filter((c): c is Credential => c !== undefined && c.kind === kind && c.user === user);
  }

  /** Deletes every session (and, with tokens, every API token) of a user: those cached and those current. */
  async revokeAll(user: string, kinds: CredentialKind[]): Promise<number> {
    const current = await Promise.all(kinds.map((k) => this.listCurrent(user, k).catch(() => [])));
    const doomed = new Map(
      [...kinds.flatMap((k) => this.listFor(user, k)), ...current.flat()].map((c) => [
        `${c.kind}-${c.id}`,
        c,
      ]),
    );
    await Promise.all([...doomed.values()].map((c) => this.revoke(c.kind, c.id).catch(() => undefined)));
    return doomed.size;
  }

  /** Removes expired credentials (run by the leader now and then). */
  async pruneExpired(now = Date.now()): Promise<number> {
    const expired = this.secrets
      .list()
      .map(toCredential)
      .filter((c): c is Credential => !!c?.expiresAt && Date.parse(c.expiresAt) <= now);
    await Promise.all(expired.map((c) => this.revoke(c.kind, c.id).catch(() => undefined)));
    return expired.length;
  }

  async setPassword(user: string, hash: string): Promise<void> {
    const name = passwordSecretName(user);
    const body: V1Secret = {
      metadata: { name, labels: { [credentialLabel]: 'password' }, annotations: { [userAnnotation]: user } },
      type: 'shipyard.dev/password',
      stringData: { user, hash },
    };
    await this.core
      .replaceNamespacedSecret({ name, namespace: this.namespace, body })
      .catch(async (e: { code?: number }) => {
        if (e.code !== 404) throw fromKube(e, `password of ${user}`);
        await this.core.createNamespacedSecret({ namespace: this.namespace, body }).catch((e2: unknown) => {
          throw fromKube(e2, `password of ${user}`);
        });
      });
  }

  async passwordHash(user: string): Promise<string | undefined> {
    const name = passwordSecretName(user);
    const s =
      this.secrets.get(name) ??
      (await this.core.readNamespacedSecret({ name, namespace: this.namespace }).catch(() => undefined));
    return b64(s?.data?.user) === user ? b64(s?.data?.hash) : undefined;
  }

  async deletePassword(user: string): Promise<void> {
    await this.core
      .deleteNamespacedSecret({ name: passwordSecretName(user), namespace: this.namespace })
      .catch((e: { code?: number }) => {
        if (e.code !== 404) throw fromKube(e, `password of ${user}`);
      });
  }
}
