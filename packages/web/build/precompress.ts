/**
 * Writes a gzip (`.gz`) and a brotli (`.br`) copy beside each text file of the build (scripts, styles, the
 * page, SVG, JSON) at the end of `vite build`, so the server sends them compressed without compressing on each
 * request (packages/server/src/http/console.ts picks one by the request's Accept-Encoding). Files under 1 KiB,
 * and copies no smaller than the file, are left out: the server then sends the file as it is.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const compressible = /\.(js|mjs|css|html|svg|json|txt|map)$/;
const minBytes = 1024;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/** Writes `<file>.gz` and `<file>.br` for each compressible file of `dir`; returns how many files it did. */
export function precompressDir(dir: string): number {
  let done = 0;
  for (const file of filesUnder(dir)) {
    if (!compressible.test(file)) continue;
    const raw = readFileSync(file);
    if (raw.length < minBytes) continue;
    const gz = gzipSync(raw, { level: 9 });
    const br = brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
    if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz);
    if (br.length < raw.length) writeFileSync(`${file}.br`, br);
    done++;
  }
  return done;
}

export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'shipyard-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    // After every file, the public folder's included, is in place.
    closeBundle() {
      const n = precompressDir(outDir);
      console.log(`console: ${n} files precompressed (gzip and brotli)`);
    },
  };
}
