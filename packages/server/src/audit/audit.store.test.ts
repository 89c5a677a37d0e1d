import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditStoreSuite } from './audit.store.suite.js';
import { openAuditDb } from './db.js';

auditStoreSuite('AuditStore on embedded PGlite', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shipyard-audit-'));
  return {
    open: () => openAuditDb({ dataDir: path.join(dir, 'audit') }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
