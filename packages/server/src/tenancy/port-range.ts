/** L4 port ranges ("20000-21000", or one port "8080") as a cluster's pool and tenants' shares of it. */

export type PortRange = { from: number; to: number };

/** The range, or a reason it is not one (the schema has already checked the digits and the dash). */
export function parsePortRange(text: string): PortRange | string {
  const [a, b = a] = text.split('-');
  const from = Number(a);
  const to = Number(b);
  if (!Number.isInteger(from) || !Number.isInteger(to)) return `"${text}" is not a port range`;
  if (from < 1 || to > 65535) return `"${text}": ports are 1-65535`;
  if (from > to) return `"${text}": the first port is after the last`;
  return { from, to };
}

export function contains(outer: PortRange, inner: PortRange): boolean {
  return outer.from <= inner.from && inner.to <= outer.to;
}

export function overlaps(a: PortRange, b: PortRange): boolean {
  return a.from <= b.to && b.from <= a.to;
}
