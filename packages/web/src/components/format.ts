/**
 * Display of Kubernetes quantities and times. Only for reading: quota arithmetic happens in the API with exact
 * integers (packages/api quantity.ts); here a node's "16318504Ki" becomes "15.6 GiB" and "3500m" "3.5".
 */
import dayjs from 'dayjs';

const binary: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimal: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A quantity as a plain number (NaN when it is not one). */
export function quantityValue(q: string | undefined): number {
  if (!q) return NaN;
  const m = /^([+-]?\d*\.?\d+(?:[eE][+-]?\d+)?)([KMGTPE]i|[numkMGTPE])?$/.exec(q.trim());
  if (!m) return NaN;
  const suffix = m[2] ?? '';
  return Number(m[1]) * (binary[suffix] ?? decimal[suffix] ?? NaN);
}

const trim = (n: number) =>
  Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1).replace(/\.?0+$/, '');

/** CPU in cores: "3500m" → "3.5". */
export function formatCpu(q: string | undefined): string {
  const v = quantityValue(q);
  return Number.isNaN(v) ? (q ?? '—') : trim(v);
}

/** Bytes in binary units, about three significant digits: "16318504Ki" → "15.6 GiB". */
export function formatBytes(q: string | undefined): string {
  const v = quantityValue(q);
  if (Number.isNaN(v)) return q ?? '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let n = v;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${trim(n)} ${units[i]}`;
}

export function formatTime(iso: string | Date | undefined | null): string {
  return iso ? dayjs(iso).format('YYYY-MM-DD HH:mm:ss') : '—';
}
