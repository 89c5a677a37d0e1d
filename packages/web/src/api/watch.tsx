/** React side of the live channel: one WatchClient for the app; useWatch subscribes a component's lists. */
import type { QueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { WatchClient, type WatchStatus } from './watch-client';

const WatchContext = createContext<WatchClient | null>(null);

/**
 * Views made from other lists, by the watch key whose change changes them too: a tenant's quota view sums
 * its partitions' shares and use, which move in the partitions' status.
 */
const derived: Record<string, readonly string[][]> = {
  'management/partitions': [['management', 'tenants', 'quota']],
};

/** The app's client: a change of `a/b` invalidates every query whose key begins [a, b], and its derived views. */
export function createWatchClient(qc: QueryClient): WatchClient {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WatchClient({
    url: `${scheme}://${location.host}/api/v1/watch`,
    onChange: (key) => {
      void qc.invalidateQueries({ queryKey: key.split('/') });
      for (const queryKey of derived[key] ?? []) void qc.invalidateQueries({ queryKey });
    },
  });
}

export function WatchProvider({ client, children }: { client: WatchClient; children: ReactNode }) {
  return <WatchContext.Provider value={client}>{children}</WatchContext.Provider>;
}

function useWatchClient(): WatchClient {
  const client = useContext(WatchContext);
  if (!client) throw new Error('useWatch needs a WatchProvider');
  return client;
}

/** Keeps the given watch keys subscribed while the component is mounted. */
export function useWatch(keys: readonly string[]): void {
  const client = useWatchClient();
  const joined = keys.join('\n');
  useEffect(() => {
    const offs = joined ? joined.split('\n').map((k) => client.subscribe(k)) : [];
    return () => offs.forEach((off) => off());
  }, [client, joined]);
}

export function useWatchStatus(): WatchStatus {
  const client = useWatchClient();
  return useSyncExternalStore(client.onStatus, () => client.status());
}
