#!/usr/bin/env node
// `samsa broker`: @samsa/cli's bin (the `samsa` command) imports this file for that subcommand, and `npm start`
// runs it directly. Runs the compiled broker as one bundled file, dist/bundle/main.js (`npm run build` = tsc -b, then scripts/bundle-broker.mjs): loading
// ~150 separate ES modules cost about a third of the cold start. Without a build, run the sources with
// `node --conditions=source --import tsx packages/broker/src/main.ts`.
import { statSync } from 'node:fs'
import module from 'node:module'

// Node ≥ 22.1 can keep V8's compiled code between runs (in the OS temp dir), which skips re-compiling the bundle on
// every start (measured on Node 22: median 130 → 101 ms). Node 20 lacks the function; where the cache cannot be
// used (e.g. a read-only temp dir) Node reports a failed status and compiles as usual, so this is best effort.
if (typeof module.enableCompileCache === 'function') module.enableCompileCache()

const mtime = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0

// In a checkout, a lone `tsc -b` (an editor, a script) refreshes dist/ but not the bundle, which would then run
// code that is no longer in the tree. tsc rewrites a project's .tsbuildinfo whenever it emits, so a bundle older
// than the broker's or its dependencies' is stale: run tsc's output instead (correct, only slower to start).
// A published package has no .tsbuildinfo files and always runs the bundle. The stats cost well under 1 ms.
const bundle = mtime('../dist/bundle/main.js')
const builds = ['broker', 'protocol', 'net', 'storage'].map((p) => mtime(`../../${p}/tsconfig.tsbuildinfo`))
const entry = bundle > 0 && builds.every((t) => t <= bundle) ? '../dist/bundle/main.js' : '../dist/main.js'
if (mtime(entry) === 0) {
  console.error('samsa: dist/ is missing; run `npm run build` first (`npm start` builds and starts).')
  process.exit(1)
}
if (entry === '../dist/main.js') {
  console.error('samsa: dist/bundle/main.js is missing or older than tsc output; `npm run build` makes a new one.')
}
await import(entry)
