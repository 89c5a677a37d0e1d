import { z } from 'zod';
import { isQuantity, quantityPattern } from './quantity.js';

export const group = 'shipyard.dev';
export const version = 'v1alpha1';
export const apiVersion = `${group}/${version}`;

/** A DNS-1123 label: what Kubernetes accepts as a namespace name, and what we use for every name. */
export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'must be lowercase letters, digits and "-", starting and ending alphanumeric',
  );

/** A user name: also used as a Kubernetes user name in impersonation. */
export const userName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9._@]*[a-z0-9])?$/, 'must be lowercase letters, digits, "-", "_", "." or "@"');

export const quantity = z
  .string()
  .regex(new RegExp(quantityPattern), { message: 'must be a quantity such as 500m, 2, 10Gi', abort: true })
  .refine(isQuantity, 'must be at most what an int64 of units holds (9223372036854775807)');

/** A ResourceQuota resource name: requests.cpu, count/deployments.apps, gold.storageclass.storage.k8s.io/requests.storage. */
export const resourceName = z
  .string()
  .max(253)
  .regex(
    /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
    'must be a resource name such as requests.cpu or count/pods',
  );

/** A ResourceQuota hard list: any key Kubernetes accepts, quantity values. */
export const hardList = z.record(resourceName, quantity);

export const portRange = z
  .string()
  .regex(/^\d{1,5}(-\d{1,5})?$/, 'must be a port or a range such as 20000-21000');

export const condition = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  observedGeneration: z.number().int().optional(),
});
export type Condition = z.infer<typeof condition>;
export const conditions = z.array(condition);

const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether `key` is a Kubernetes qualified name: an optional DNS subdomain prefix and "/", then a name. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !subdomain.test(prefix))) return false;
  return name.length <= 63 && labelName.test(name);
}

const qualifiedName = z
  .string()
  .refine(
    isQualifiedName,
    'must be a name of at most 63 letters, digits, "-", "_" or "." (starting and ending alphanumeric), with an optional DNS prefix and "/"',
  );
const labelValue = z
  .string()
  .max(63)
  .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, {
    message: 'must be empty or letters, digits, "-", "_" or "." starting and ending alphanumeric',
  });

/** Labels and annotations as Kubernetes accepts them: a bad key or value is refused naming it. */
const labels = z.record(qualifiedName, labelValue);
const annotations = z.record(qualifiedName, z.string());

/**
 * The metadata a client may send; the server owns the rest (uid, resourceVersion, timestamps). What the
 * apiserver answers is accepted back (a GET, changed, PUT) and dropped; any other key is an unknown field.
 */
export const objectMeta = z.strictObject({
  name: dnsLabel,
  labels: labels.optional(),
  annotations: annotations.optional(),
  resourceVersion: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  finalizers: z.array(z.string()).optional(),
  deletionGracePeriodSeconds: z.number().int().optional(),
  ownerReferences: z.array(z.record(z.string(), z.unknown())).optional(),
  managedFields: z.array(z.record(z.string(), z.unknown())).optional(),
  generateName: z.string().optional(),
  selfLink: z.string().optional(),
});
export type ObjectMeta = z.infer<typeof objectMeta>;
