import { describe, expect, it } from 'vitest';
import { binaryNames, type Binaries } from './binaries.js';
import { kwokctlConfig } from './cluster.js';

const bins = {
  ...Object.fromEntries(binaryNames.map((n) => [n, `/bin/${n}`])),
  dir: '/bin',
} as Binaries;

function documents(config: string): Record<string, { options: Record<string, unknown> }> {
  return Object.fromEntries(
    config.split('\n---\n').map((d) => {
      const doc = JSON.parse(d) as { kind: string; options: Record<string, unknown> };
      return [doc.kind, doc];
    }),
  );
}

describe("kwokctl's configuration", () => {
  it('enables the kwok CRDs asked for, and the kubelet-like handlers that exec, logs and port-forward need', () => {
    const docs = documents(
      kwokctlConfig(
        bins,
        { name: 'x', enableCrds: ['ClusterExec', 'ClusterLogs', 'ClusterExec'] },
        [1, 2, 3, 4, 5, 6],
      ),
    );
    expect(docs.KwokctlConfiguration?.options.enableCRDs).toEqual(['ClusterExec', 'ClusterLogs']);
    expect(docs.KwokConfiguration?.options.enableDebuggingHandlers).toBe(true);
  });

  it('enables none by default', () => {
    const docs = documents(kwokctlConfig(bins, { name: 'x' }, [1, 2, 3, 4, 5, 6]));
    expect(docs.KwokctlConfiguration?.options).not.toHaveProperty('enableCRDs');
    expect(docs.KwokConfiguration?.options).not.toHaveProperty('enableDebuggingHandlers');
  });
});
