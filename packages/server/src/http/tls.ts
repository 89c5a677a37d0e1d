// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import os from 'node:os';
import * as x509 from '@peculiar/x509';
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { kubeRequest } from '../runtime/kube-request.js';

// Node's WebCrypto is the standard one; only the DOM and Node typings differ.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKey = webcrypto.CryptoKey;
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const secretName = 'shipyard-tls';
const year = 365 * 24 * 3600 * 1000;

export type ServingCert = { ca: string; cert: string; key: string };

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, alg, true, ['sign']);
}

const serial = () =>
  randomBytes(16)
    .toString('hex')
    .replace(/^[89a-f]/, '1');

async function newCa(): Promise<{ cert: string; key: string }> {
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Shipyard CA',
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 10 * year),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

async function newServing(
  ca: { cert: string; key: string },
  hosts: string[],
): Promise<{ cert: string; key: string }> {
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const issuer = new x509.X509Certificate(ca.cert);
  const names = hosts.map((h) => ({
    type: /^[\d.]+$|:/.test(h) ? ('ip' as const) : ('dns' as const),
    value: h,
  }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=shipyard',
    issuer: issuer.subject,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 2 * year),
    publicKey: keys.publicKey,
    signingKey: await importKey(ca.key),
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

function covers(certPem: string, hosts: string[]): boolean {
  const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  const have = new Set(san?.names.items.map((n) => n.value) ?? []);
  return hosts.every((h) => have.has(h));
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

/**
 * The serving certificate of the built-in HTTPS listener (kubectl sends tokens only over TLS), signed by a
 * CA of the platform's own. Kept in the Secret shipyard-tls so every replica serves the same; re-issued by
 * the same CA when a host name is missing from it. `m` is the management cluster (kube/management.ts).
 */
export async function ensureServingCert(
  m: { kc: KubeConfig; namespace: string },
  extraHosts: string[] = [],
): Promise<ServingCert> {
  const hosts = [...new Set(['127.0.0.1', 'localhost', os.hostname(), ...extraHosts])];
  const path = `/api/v1/namespaces/${m.namespace}/secrets/${secretName}`;
  const existing = (await kubeRequest(m.kc, { path }).catch((e: { status?: number }) => {
    if (e.status === 404) return undefined;
    throw e;
  })) as V1Secret | undefined;
  const d = existing?.data ?? {};
  if (existing && covers(unb64(d['tls.crt']), hosts)) {
    return { ca: unb64(d['ca.crt']), cert: unb64(d['tls.crt']), key: unb64(d['tls.key']) };
  }
  const ca = existing ? { cert: unb64(d['ca.crt']), key: unb64(d['ca.key']) } : await newCa();
  const serving = await newServing(ca, hosts);
  const body: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: secretName,
      namespace: m.namespace,
      resourceVersion: existing?.metadata?.resourceVersion,
    },
    type: 'Opaque',
    data: {
      'ca.crt': b64(ca.cert),
      'ca.key': b64(ca.key),
      'tls.crt': b64(serving.cert),
      'tls.key': b64(serving.key),
    },
  };
  try {
    await kubeRequest(
      m.kc,
      existing
        ? { method: 'PUT', path, body }
        : { method: 'POST', path: path.slice(0, -secretName.length - 1), body },
    );
  } catch (err) {
    // Another replica wrote it first: use theirs.
    if ((err as { status?: number }).status === 409) return ensureServingCert(m, extraHosts);
    throw err;
  }
  return { ca: ca.cert, ...serving };
}
