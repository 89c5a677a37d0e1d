/**
 * Prints the JavaScript the console ships, gzipped, at the end of `vite build`: what the first page load
 * fetches (the entry chunk and the chunks it imports statically) and the total of every chunk, so a change
 * that bloats the initial bundle shows in the build log. Also written to dist/size.json for tests and notes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

type Sizes = {
  initialJsGzip: number;
  totalJsGzip: number;
  initialJs: number;
  totalJs: number;
  chunks: number;
};

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export function sizeReport(): Plugin {
  let outDir = 'dist';
  return {
    name: 'shipyard-size-report',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      const chunks = new Map<string, { code: string; imports: string[]; isEntry: boolean }>();
      for (const [file, out] of Object.entries(bundle)) {
        if (out.type === 'chunk')
          chunks.set(file, { code: out.code, imports: out.imports, isEntry: out.isEntry });
      }
      const initial = new Set<string>();
      const visit = (file: string) => {
        if (initial.has(file)) return;
        initial.add(file);
        for (const dep of chunks.get(file)?.imports ?? []) visit(dep);
      };
      for (const [file, c] of chunks) if (c.isEntry) visit(file);
      const sizes: Sizes = {
        initialJsGzip: 0,
        totalJsGzip: 0,
        initialJs: 0,
        totalJs: 0,
        chunks: chunks.size,
      };
      for (const [file, c] of chunks) {
        const raw = Buffer.byteLength(c.code);
        const gz = gzipSync(c.code, { level: 9 }).length;
        sizes.totalJs += raw;
        sizes.totalJsGzip += gz;
        if (initial.has(file)) {
          sizes.initialJs += raw;
          sizes.initialJsGzip += gz;
        }
      }
      writeFileSync(path.join(outDir, 'size.json'), JSON.stringify(sizes, null, 2) + '\n');
      console.log(
        `console JS, gzipped: first load ${kib(sizes.initialJsGzip)} (${initial.size} chunks, ` +
          `${kib(sizes.initialJs)} raw); all ${sizes.chunks} chunks ${kib(sizes.totalJsGzip)}`,
      );
    },
  };
}
