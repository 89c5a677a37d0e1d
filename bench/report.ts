// Plain-text tables of the measurements and their ratios.
import type { ConsoleRow } from './console.bench.js';
import type { Ratio, Row } from './lists.bench.js';

function table(header: string[], lines: string[][], left: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i < left ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}

const num = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export function resultsTable(rows: Row[]): string {
  return table(
    ['list', 'via', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'KiB/resp', 'samples', 'errors'],
    rows.map(({ what, via, result: r }) => [
      what,
      via,
      String(r.connections),
      num(r.perSecond),
      num(r.p50Ms),
      num(r.p99Ms),
      num(r.meanBytes / 1024),
      String(r.samples),
      String(r.errors),
    ]),
    2,
  );
}

/** Throughput above 1x and latency below 1x favour Shipyard. */
export function ratiosTable(ratios: Ratio[]): string {
  const note = '\n(throughput above 1x and latency below 1x favour Shipyard)';
  return (
    table(
      ['Shipyard / kube-apiserver', 'throughput', 'p50 latency', 'p99 latency'],
      ratios.map((r) => [r.what, `${num(r.throughput, 2)}x`, `${num(r.p50, 2)}x`, `${num(r.p99, 2)}x`]),
      1,
    ) + note
  );
}

export function consoleTable(rows: ConsoleRow[]): string {
  return table(
    ['the console', 'p50 ms', 'p99 ms', 'max ms', 'p50 / reference'],
    rows.map((r) => [r.what, num(r.ms.p50, 0), num(r.ms.p99, 0), num(r.ms.max, 0), `${num(r.ratio, 2)}x`]),
    1,
  );
}
