import { z } from 'zod';
import { kindMeta, type KindMeta, type KindName } from './kind-meta.js';
import * as k from './kinds.js';
import { apiVersion, objectMeta } from './meta.js';

/**
 * A platform kind as data: its record (kind-meta.ts) and its schemas. Generic code (CRDs, routes, caches,
 * authorization, reference checks) reads this; a kind is one of these.
 */
export type KindDef<
  Spec extends z.ZodType = z.ZodType,
  Status extends z.ZodType = z.ZodType,
  K extends string = string,
> = KindMeta<K> & {
  spec: Spec;
  /** What a client may send in spec when it differs from what is stored (User: a password, never stored). */
  inputSpec?: z.ZodType;
  status: Status;
};

function def<K extends KindName, Spec extends z.ZodType, Status extends z.ZodType>(
  kind: K,
  schemas: { spec: Spec; status: Status; inputSpec?: z.ZodType },
): KindDef<Spec, Status, K> {
  return { ...kindMeta[kind], ...schemas };
}

export const kinds = {
  Cluster: def('Cluster', { spec: k.clusterSpec, status: k.clusterStatus }),
  Tenant: def('Tenant', { spec: k.tenantSpec, status: k.tenantStatus }),
  Partition: def('Partition', { spec: k.partitionSpec, status: k.partitionStatus }),
  User: def('User', { spec: k.userSpec, inputSpec: k.userInputSpec, status: k.userStatus }),
  Group: def('Group', { spec: k.groupSpec, status: k.groupStatus }),
  RoleTemplate: def('RoleTemplate', { spec: k.roleTemplateSpec, status: k.roleTemplateStatus }),
  RoleTemplateBinding: def('RoleTemplateBinding', {
    spec: k.roleTemplateBindingSpec,
    status: k.roleTemplateBindingStatus,
  }),
} as const satisfies { [N in KindName]: KindDef<z.ZodType, z.ZodType, N> };

export type Kinds = typeof kinds;
export const kindList: KindDef[] = Object.values(kinds);

export function kindByPlural(plural: string): KindDef | undefined {
  return kindList.find((d) => d.plural === plural);
}

/**
 * The schema of a whole object of a kind: as stored, or (`input`) as clients may send it. A key no schema
 * knows is an error at every level of the object, its metadata and spec (as kubectl's strict field
 * validation), except in maps (labels, quotas). Status is the server's: what a client sends of it is ignored.
 */
export function objectSchema<D extends KindDef>(d: D, as: 'stored' | 'input' = 'stored') {
  return z.strictObject({
    apiVersion: z.literal(apiVersion).optional(),
    kind: z.literal(d.kind).optional(),
    metadata: objectMeta,
    spec: as === 'input' ? (d.inputSpec ?? d.spec) : d.spec,
    status: d.status.optional(),
  });
}

/** The spec to store of one parsed from input: without the keys only input has (a User's password). */
export function storedSpec(d: KindDef, spec: unknown): unknown {
  if (!d.inputSpec || !(d.spec instanceof z.ZodObject) || !spec || typeof spec !== 'object') return spec;
  const stored = new Set(Object.keys(d.spec.shape));
  return Object.fromEntries(Object.entries(spec).filter(([k]) => stored.has(k)));
}

/** A stored object of a kind (spec defaults applied). */
export type PlatformObject<N extends KindName> = {
  apiVersion: typeof apiVersion;
  kind: N;
  metadata: z.infer<typeof objectMeta>;
  spec: z.output<Kinds[N]['spec']>;
  status?: z.output<Kinds[N]['status']>;
};

export type Cluster = PlatformObject<'Cluster'>;
export type Tenant = PlatformObject<'Tenant'>;
export type Partition = PlatformObject<'Partition'>;
export type User = PlatformObject<'User'>;
export type Group = PlatformObject<'Group'>;
export type RoleTemplate = PlatformObject<'RoleTemplate'>;
export type RoleTemplateBinding = PlatformObject<'RoleTemplateBinding'>;
