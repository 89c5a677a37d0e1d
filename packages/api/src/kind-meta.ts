/**
 * The platform kinds as data, without their schemas: what generic code needs to know about a kind (its names,
 * the fields naming other objects, where a grant reaches it, its columns). Zod-free, so the console imports it
 * (`@shipyard/api/kind-meta`) without schema code; `registry.ts` adds the schemas to make a `KindDef`.
 */

export const kindNames = [
  'Cluster',
  'Tenant',
  'Partition',
  'User',
  'Group',
  'RoleTemplate',
  'RoleTemplateBinding',
] as const;
export type KindName = (typeof kindNames)[number];

export const scopeLevels = ['platform', 'cluster', 'tenant', 'partition'] as const;
export type ScopeLevel = (typeof scopeLevels)[number];

export type PrinterColumn = {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date';
  jsonPath: string;
};

/** A column of the kind's list in the console: `key` names its i18n entry (`columns.<key>`), `path` its value. */
export type ConsoleColumn = { key: string; path: string; sortable?: boolean };

/** The kind a reference names: one kind, or the kind the value of another field picks (`spec.subject.kind`). */
export type RefTarget = KindName | { field: string; kinds: Readonly<Partial<Record<string, KindName>>> };

/** A field naming another platform object; the object it names must exist when a write sets it. */
export type Reference = {
  /** The field, as 422 errors name it, with `[]` for each element of a list: `spec.members[]`. */
  field: string;
  kind: RefTarget;
  /** Deleting the named object deletes this one (an ownerReference to it). */
  owner?: boolean;
  /** The object lives in the named one's scope: a grant there (or where that one lives) reaches it. */
  parent?: boolean;
};

export type KindMeta<K extends string = string> = {
  kind: K;
  plural: string;
  singular: string;
  shortNames?: readonly string[];
  /**
   * Platform objects are cluster-scoped in the management cluster (their CRD's scope); tenancy is expressed
   * by `parent` references, not by namespaces.
   */
  namespaced?: false;
  /** The scope level an object of the kind is itself (a grant on a Tenant reaches the Tenant). */
  scopeLevel?: Exclude<ScopeLevel, 'platform'>;
  references: readonly Reference[];
  /** Changes to objects of the kind change who may do what: grants derived from them are recomputed. */
  authorization?: boolean;
  /**
   * Read without a grant: by everyone (get, list and watch: role templates are what anyone may be granted),
   * or by the user an object is (get and watch of their own User).
   */
  readableBy?: 'everyone' | 'self';
  printerColumns: readonly PrinterColumn[];
  consoleColumns: readonly ConsoleColumn[];
};

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const ready: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};
const name: ConsoleColumn = { key: 'name', path: 'metadata.name', sortable: true };
const created: ConsoleColumn = { key: 'created', path: 'metadata.creationTimestamp', sortable: true };
const displayName: ConsoleColumn = { key: 'displayName', path: 'spec.displayName', sortable: true };

/** The kind each non-platform scope level names (a `partition` scope names a Partition). */
export const levelKinds = { cluster: 'Cluster', tenant: 'Tenant', partition: 'Partition' } as const;

export const kindMeta: { readonly [N in KindName]: KindMeta<N> } = {
  Cluster: {
    kind: 'Cluster',
    plural: 'clusters',
    singular: 'cluster',
    scopeLevel: 'cluster',
    references: [],
    printerColumns: [
      ready,
      { name: 'Version', type: 'string', jsonPath: '.status.kubernetesVersion' },
      { name: 'Nodes', type: 'integer', jsonPath: '.status.nodes.total' },
      age,
    ],
    consoleColumns: [
      name,
      displayName,
      { key: 'version', path: 'status.kubernetesVersion', sortable: true },
      { key: 'nodes', path: 'status.nodes.total', sortable: true },
      created,
    ],
  },
  Tenant: {
    kind: 'Tenant',
    plural: 'tenants',
    singular: 'tenant',
    scopeLevel: 'tenant',
    references: [{ field: 'spec.clusters[].cluster', kind: 'Cluster' }],
    printerColumns: [{ name: 'Display Name', type: 'string', jsonPath: '.spec.displayName' }, age],
    consoleColumns: [name, displayName, created],
  },
  Partition: {
    kind: 'Partition',
    plural: 'partitions',
    singular: 'partition',
    scopeLevel: 'partition',
    references: [
      { field: 'spec.tenant', kind: 'Tenant', owner: true, parent: true },
      { field: 'spec.cluster', kind: 'Cluster', parent: true },
    ],
    authorization: true,
    printerColumns: [
      { name: 'Tenant', type: 'string', jsonPath: '.spec.tenant' },
      { name: 'Cluster', type: 'string', jsonPath: '.spec.cluster' },
      ready,
      age,
    ],
    consoleColumns: [
      name,
      { key: 'tenant', path: 'spec.tenant', sortable: true },
      { key: 'cluster', path: 'spec.cluster', sortable: true },
      created,
    ],
  },
  User: {
    kind: 'User',
    plural: 'users',
    singular: 'user',
    references: [],
    authorization: true,
    readableBy: 'self',
    printerColumns: [
      { name: 'Display Name', type: 'string', jsonPath: '.spec.displayName' },
      { name: 'Disabled', type: 'boolean', jsonPath: '.spec.disabled' },
      age,
    ],
    consoleColumns: [name, displayName, { key: 'disabled', path: 'spec.disabled' }, created],
  },
  Group: {
    kind: 'Group',
    plural: 'groups',
    singular: 'group',
    references: [
      { field: 'spec.tenant', kind: 'Tenant', owner: true, parent: true },
      { field: 'spec.members[]', kind: 'User' },
    ],
    authorization: true,
    printerColumns: [{ name: 'Tenant', type: 'string', jsonPath: '.spec.tenant' }, age],
    consoleColumns: [name, { key: 'tenant', path: 'spec.tenant', sortable: true }, created],
  },
  RoleTemplate: {
    kind: 'RoleTemplate',
    plural: 'roletemplates',
    singular: 'roletemplate',
    references: [],
    authorization: true,
    readableBy: 'everyone',
    printerColumns: [{ name: 'Level', type: 'string', jsonPath: '.spec.level' }, age],
    consoleColumns: [name, displayName, { key: 'level', path: 'spec.level', sortable: true }, created],
  },
  RoleTemplateBinding: {
    kind: 'RoleTemplateBinding',
    plural: 'roletemplatebindings',
    singular: 'roletemplatebinding',
    references: [
      {
        field: 'spec.subject.name',
        kind: { field: 'spec.subject.kind', kinds: { User: 'User', Group: 'Group' } },
        owner: true,
      },
      {
        field: 'spec.scope.name',
        kind: { field: 'spec.scope.level', kinds: levelKinds },
        owner: true,
        parent: true,
      },
    ],
    authorization: true,
    printerColumns: [
      { name: 'Template', type: 'string', jsonPath: '.spec.roleTemplate' },
      { name: 'Level', type: 'string', jsonPath: '.spec.scope.level' },
      { name: 'Scope', type: 'string', jsonPath: '.spec.scope.name' },
      age,
    ],
    consoleColumns: [
      name,
      { key: 'roleTemplate', path: 'spec.roleTemplate', sortable: true },
      { key: 'level', path: 'spec.scope.level', sortable: true },
      { key: 'scope', path: 'spec.scope.name', sortable: true },
      created,
    ],
  },
};

export const kindMetaList: readonly KindMeta<KindName>[] = kindNames.map((n) => kindMeta[n]);

/** The plural of every built-in kind (`/api/v1/<plural>`, `management/<plural>` watch keys). */
export type Plural = (typeof kindMeta)[KindName]['plural'];
export const plurals = kindMetaList.map((m) => m.plural);

/** Every kind a reference can name. */
export function refKinds(ref: Reference): KindName[] {
  if (typeof ref.kind === 'string') return [ref.kind];
  return [...new Set(Object.values(ref.kind.kinds).filter((k) => k !== undefined))];
}

/** One name a reference holds in an object: the field with its list indices (`spec.members[2]`). */
export type NamedRef = { ref: Reference; field: string; kind: KindName; name: string };

function valueAt(obj: unknown, path: string): unknown {
  let node = obj;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The values at a path whose segments may end in `[]` (each element of a list), with their concrete paths. */
function valuesAt(
  node: unknown,
  segments: readonly string[],
  at: string,
): { field: string; value: unknown }[] {
  if (segments.length === 0) return [{ field: at, value: node }];
  if (node === null || typeof node !== 'object') return [];
  const [head, ...rest] = segments as [string, ...string[]];
  const each = head.endsWith('[]');
  const key = each ? head.slice(0, -2) : head;
  const child = (node as Record<string, unknown>)[key];
  const path = at ? `${at}.${key}` : key;
  if (!each) return valuesAt(child, rest, path);
  if (!Array.isArray(child)) return [];
  return child.flatMap((c: unknown, i) => valuesAt(c, rest, `${path}[${i}]`));
}

/** The kind a reference names in this object, if it names one (a `platform` scope names none). */
function targetIn(ref: Reference, obj: unknown): KindName | undefined {
  if (typeof ref.kind === 'string') return ref.kind;
  const by = valueAt(obj, ref.kind.field);
  return typeof by === 'string' && Object.hasOwn(ref.kind.kinds, by) ? ref.kind.kinds[by] : undefined;
}

/** The names an object's references hold (empty and absent fields hold none). */
export function namedRefs(meta: Pick<KindMeta, 'references'>, obj: unknown): NamedRef[] {
  return meta.references.flatMap((ref) => {
    const kind = targetIn(ref, obj);
    if (!kind) return [];
    return valuesAt(obj, ref.field.split('.'), '').flatMap(({ field, value }) =>
      typeof value === 'string' && value !== '' ? [{ ref, field, kind, name: value }] : [],
    );
  });
}

/**
 * The scope levels at which a grant can reach an object of the kind: the platform, its own level, and those of
 * the objects it lives in (a binding on a partition lives in the partition's tenant and cluster too).
 */
export function scopeLevelsOf(meta: Pick<KindMeta, 'scopeLevel' | 'references'>): Set<ScopeLevel> {
  const out = new Set<ScopeLevel>(['platform']);
  if (meta.scopeLevel) out.add(meta.scopeLevel);
  for (const ref of meta.references.filter((r) => r.parent))
    for (const k of refKinds(ref)) for (const l of scopeLevelsOf(kindMeta[k])) out.add(l);
  return out;
}
