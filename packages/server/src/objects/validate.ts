import {
  apiVersion,
  objectSchema,
  storedSpec,
  type KindDef,
  type KindName,
  type PlatformObject,
} from '@shipyard/api';
import type { z } from 'zod';
import { invalid } from '../http/errors.js';
import { describeIssue } from '../http/field-path.js';

/**
 * Parses a body as an object of the kind: a 422 naming the first bad or unknown field, or the object to
 * store (without what a client may only send, such as a User's password, and without status).
 */
export function parseObject<N extends KindName>(d: KindDef, body: unknown): PlatformObject<N> {
  const parsed = objectSchema(d, 'input').safeParse(body);
  if (!parsed.success) {
    const issue: z.core.$ZodIssue | undefined = parsed.error.issues[0];
    const { field, message } = describeIssue(issue ?? { path: [] });
    throw invalid(message, field);
  }
  const { metadata } = parsed.data;
  const spec = storedSpec(d, parsed.data.spec);
  const meta: PlatformObject<N>['metadata'] = { name: metadata.name };
  if (metadata.labels) meta.labels = metadata.labels;
  if (metadata.annotations) meta.annotations = metadata.annotations;
  if (metadata.resourceVersion) meta.resourceVersion = metadata.resourceVersion;
  return { apiVersion, kind: d.kind as N, metadata: meta, spec } as PlatformObject<N>;
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** What a client sees of a stored object: everything but the apiserver's field bookkeeping. */
export function present<T extends { metadata: object }>(obj: T): T {
  if (!('managedFields' in obj.metadata)) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata as { managedFields?: unknown };
  return { ...obj, metadata };
}
