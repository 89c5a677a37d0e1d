/** A field path people read: spec.clusters[0].hard["requests.cpu"]. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(p))) out += (out ? '.' : '') + String(p);
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

/** What a schema found wrong, as zod says it (fastify's validation errors carry the same in `params`). */
export type SchemaIssue = {
  path: readonly PropertyKey[];
  code?: string;
  message?: string;
  /** unrecognized_keys: the keys no schema knows. */
  keys?: readonly string[];
  /** invalid_key: why a map's key was refused. */
  issues?: readonly { message?: string }[];
};

/**
 * The field an issue names and what to say of it: an unknown key is named itself (`unknown field
 * "spec.foo"`, as kubectl's strict field validation says), a bad key of a map too.
 */
export function describeIssue(issue: SchemaIssue): { field?: string; message: string } {
  if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
    const fields = issue.keys.map((k) => fieldPath([...issue.path, k]));
    const quoted = fields.map((f) => JSON.stringify(f)).join(', ');
    return { field: fields[0], message: `unknown field${fields.length > 1 ? 's' : ''} ${quoted}` };
  }
  const field = fieldPath(issue.path) || undefined;
  const reason = (issue.code === 'invalid_key' && issue.issues?.[0]?.message) || issue.message || 'invalid';
  return { field, message: `${field ?? 'body'}: ${issue.code === 'invalid_key' ? `key ${reason}` : reason}` };
}
