/**
 * The API names the field of an error as people read it (server http/field-path.ts):
 * `spec.clusters[0].hard["requests.cpu"]`. Forms name fields as arrays: ['spec', 'clusters', 0, 'hard',
 * 'requests.cpu']. This turns the one into the other.
 */
export function parseFieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  let rest = field;
  while (rest) {
    // A name comes first or after a dot; an index or a quoted key comes after anything.
    const m =
      (out.length ? /^\.([A-Za-z_][\w-]*)/ : /^([A-Za-z_][\w-]*)/).exec(rest) ?? /^\[(\d+)\]/.exec(rest);
    const quoted = m ? null : /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
    if (m?.[1] !== undefined) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    else if (quoted?.[1] !== undefined) out.push(JSON.parse(`"${quoted[1]}"`) as string);
    else return [field];
    rest = rest.slice((m ?? quoted)?.[0].length ?? rest.length);
  }
  return out;
}
