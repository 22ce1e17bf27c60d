#!/usr/bin/env node
// Second half of `npm run build` (after `tsc -b`): bundles the compiled broker (packages/broker/dist/main.js and the
// @samsa/* packages it imports, all tsc output) into one ESM file, packages/broker/dist/bundle/main.js, which the
// `samsa` bin runs. Why: a cold start loading ~150 small ES modules spent most of its time in Node's ESM
// resolution and loading (URL handling, stat/open per file), ~120 ms of a ~340 ms start; one file removes that.
//
// Only the workspace's own packages are bundled. Every other bare import (the native addons @node-rs/crc32, snappy,
// lz4-napi, zstd-napi, and node: builtins) stays external and is resolved from node_modules at run time, because
// native addons cannot be inlined and their loaders locate their .node binaries relative to their own files.
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname

/** @type {import('esbuild').Plugin} */
const externalDependencies = {
  name: 'external-dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@samsa/') ? undefined : { path: args.path, external: true },
    )
  },
}

await build({
  absWorkingDir: root,
  // The storage's background writer starts its thread from a module beside the code that starts it
  // (packages/storage/src/fs/background-writer.ts), so the bundle carries that module as a second entry point.
  entryPoints: {
    main: 'packages/broker/dist/main.js',
    'background-writer-worker': 'packages/storage/dist/fs/background-writer-worker.js',
  },
  outdir: 'packages/broker/dist/bundle',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // @samsa/* resolve to their dist/ (the `default` export condition), so the bundle holds exactly what tsc emitted.
  conditions: [],
  plugins: [externalDependencies],
  // esbuild chains the tsc output's own source maps, so with `node --enable-source-maps` stack traces from the
  // bundle point at the TypeScript sources.
  sourcemap: true,
  // Not minified: measured no faster to start (V8 pre-parses either way) and stack traces stay readable.
  minify: false,
  logLevel: 'warning',
})
