import { z } from 'zod';
import * as k from './kinds.js';
import { apiVersion, objectMeta } from './meta.js';

export type PrinterColumn = {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date';
  jsonPath: string;
};

/** A platform kind as data: generic code (CRDs, routes, caches, authorization) reads this table. */
export type KindDef<Spec extends z.ZodType = z.ZodType, Status extends z.ZodType = z.ZodType> = {
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  spec: Spec;
  /** What a client may send in spec when it differs from what is stored (User: a password, never stored). */
  inputSpec?: z.ZodType;
  status: Status;
  printerColumns: PrinterColumn[];
};

function def<Spec extends z.ZodType, Status extends z.ZodType>(
  d: KindDef<Spec, Status>,
): KindDef<Spec, Status> {
  return d;
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const ready: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};

export const kinds = {
  Cluster: def({
    kind: 'Cluster',
    plural: 'clusters',
    singular: 'cluster',
    spec: k.clusterSpec,
    status: k.clusterStatus,
    printerColumns: [
      ready,
      { name: 'Version', type: 'string', jsonPath: '.status.kubernetesVersion' },
      { name: 'Nodes', type: 'integer', jsonPath: '.status.nodes.total' },
      age,
    ],
  }),
  Tenant: def({
    kind: 'Tenant',
    plural: 'tenants',
    singular: 'tenant',
    spec: k.tenantSpec,
    status: k.tenantStatus,
    printerColumns: [{ name: 'Display Name', type: 'string', jsonPath: '.spec.displayName' }, age],
  }),
  Partition: def({
    kind: 'Partition',
    plural: 'partitions',
    singular: 'partition',
    spec: k.partitionSpec,
    status: k.partitionStatus,
    printerColumns: [
      { name: 'Tenant', type: 'string', jsonPath: '.spec.tenant' },
      { name: 'Cluster', type: 'string', jsonPath: '.spec.cluster' },
      ready,
      age,
    ],
  }),
  User: def({
    kind: 'User',
    plural: 'users',
    singular: 'user',
    spec: k.userSpec,
    inputSpec: k.userInputSpec,
    status: k.userStatus,
    printerColumns: [
      { name: 'Display Name', type: 'string', jsonPath: '.spec.displayName' },
      { name: 'Disabled', type: 'boolean', jsonPath: '.spec.disabled' },
      age,
    ],
  }),
  Group: def({
    kind: 'Group',
    plural: 'groups',
    singular: 'group',
    spec: k.groupSpec,
    status: k.groupStatus,
    printerColumns: [{ name: 'Tenant', type: 'string', jsonPath: '.spec.tenant' }, age],
  }),
  RoleTemplate: def({
    kind: 'RoleTemplate',
    plural: 'roletemplates',
    singular: 'roletemplate',
    spec: k.roleTemplateSpec,
    status: k.roleTemplateStatus,
    printerColumns: [{ name: 'Level', type: 'string', jsonPath: '.spec.level' }, age],
  }),
  RoleTemplateBinding: def({
    kind: 'RoleTemplateBinding',
    plural: 'roletemplatebindings',
    singular: 'roletemplatebinding',
    spec: k.roleTemplateBindingSpec,
    status: k.roleTemplateBindingStatus,
    printerColumns: [
      { name: 'Template', type: 'string', jsonPath: '.spec.roleTemplate' },
      { name: 'Level', type: 'string', jsonPath: '.spec.scope.level' },
      { name: 'Scope', type: 'string', jsonPath: '.spec.scope.name' },
      age,
    ],
  }),
} as const;

export type Kinds = typeof kinds;
export type KindName = keyof Kinds;
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
