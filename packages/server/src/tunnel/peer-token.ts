/**
 * The secret that replicas show each other on relays: random, kept in the Secret shipyard-peer of the
 * server's namespace, created by whichever replica starts first (the others, racing, read the winner's).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { Management } from '../kube/management.js';
import { KubeApiError } from '../runtime/kube-errors.js';
import { kubeRequest } from '../runtime/kube-request.js';

export const peerSecretName = 'shipyard-peer';

/** The peer token, created once for the whole platform. */
export async function ensurePeerToken(m: Management): Promise<string> {
  const base = `/api/v1/namespaces/${m.namespace}/secrets`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await readToken(m, `${base}/${peerSecretName}`);
    if (existing) return existing;
    const token = randomBytes(32).toString('base64url');
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: peerSecretName, namespace: m.namespace },
      type: 'Opaque',
      data: { token: Buffer.from(token).toString('base64') },
    };
    try {
      await kubeRequest(m.kc, { method: 'POST', path: base, body, timeoutMs: 10_000 });
      return token;
    } catch (err) {
      // Another replica created it first: read theirs.
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
    }
  }
  throw new KubeApiError({
    reason: 'Conflict',
    message: `Secret ${peerSecretName} keeps changing; cannot read the peer token`,
  });
}

async function readToken(m: Management, path: string): Promise<string | undefined> {
  try {
    const secret = (await kubeRequest(m.kc, { path, timeoutMs: 10_000 })) as V1Secret;
    const token = Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8');
    return token === '' ? undefined : token;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** Compares in constant time (over digests, so the length of the secret leaks neither). */
export function samePeerToken(given: string | undefined, want: string): boolean {
  if (given === undefined || given === '') return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(want));
}
