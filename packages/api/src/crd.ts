import { z } from 'zod';
import { group, version } from './meta.js';
import type { KindDef } from './registry.js';

type JsonSchema = { [key: string]: unknown };

const dropKeys = new Set(['$schema', 'propertyNames', '$id', 'id']);

/**
 * Turns zod's JSON Schema into a Kubernetes structural schema: every node typed, no $schema or
 * propertyNames, no `additionalProperties: false` (Kubernetes prunes unknown fields itself).
 */
export function toStructural(node: unknown): JsonSchema {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    throw new Error(`not a schema node: ${JSON.stringify(node)}`);
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (dropKeys.has(key)) continue;
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toStructural(v)]),
      );
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = toStructural(value);
    } else if (key === 'const') {
      out.enum = [value];
    } else {
      out[key] = value;
    }
  }
  if (out.type === 'integer' && typeof out.maximum === 'number' && out.maximum >= Number.MAX_SAFE_INTEGER) {
    delete out.maximum;
    delete out.minimum;
  }
  if (!('type' in out)) throw new Error(`schema node without a type: ${JSON.stringify(node)}`);
  return out;
}

function structural(schema: z.ZodType): JsonSchema {
  return toStructural(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }));
}

/** The CustomResourceDefinition of a kind, generated from its schemas. */
export function crdFor(d: KindDef) {
  const metadata = { type: 'object' };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${d.plural}.${group}`, labels: { 'app.kubernetes.io/part-of': 'shipyard' } },
    spec: {
      group,
      scope: d.namespaced ? 'Namespaced' : 'Cluster',
      names: {
        kind: d.kind,
        plural: d.plural,
        singular: d.singular,
        listKind: `${d.kind}List`,
        categories: ['shipyard'],
        ...(d.shortNames ? { shortNames: d.shortNames } : {}),
      },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: d.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata,
                spec: structural(d.spec),
                status: structural(d.status),
              },
            },
          },
        },
      ],
    },
  };
}
export type Crd = ReturnType<typeof crdFor>;
