// Writes deploy/crds/shipyard.dev.yaml from the kinds' schemas (packages/api). `npm run gen:crds`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { crdsYaml } from '@shipyard/api';

const file = path.resolve(import.meta.dirname, '../deploy/crds/shipyard.dev.yaml');
writeFileSync(file, crdsYaml());
console.log(`wrote ${file}`);
