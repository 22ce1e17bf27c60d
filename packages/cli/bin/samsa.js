#!/usr/bin/env node
// The `samsa` command. `samsa broker ...` goes straight to @samsa/broker's own entry (its bin, which runs the
// bundled broker), before anything of the CLI or the client is loaded, so a broker's cold start pays only for
// this file and one module resolution. Every other subcommand runs the compiled CLI (dist/main.js; `npm run build`).
// Without a build, run the sources: `node --conditions=source --import tsx packages/cli/src/main.ts <command> ...`.

const command = process.argv[2]
if (command === 'broker') {
  // The broker's entry reads process.argv itself (it accepts `broker` as its first argument).
  await import('@samsa/broker/bin/samsa.js')
} else {
  const { existsSync } = await import('node:fs')
  const main = new URL('../dist/main.js', import.meta.url)
  if (!existsSync(main)) {
    console.error('samsa: packages/cli/dist/ is missing; run `npm run build` first.')
    process.exit(1)
  }
  const { main: run } = await import(main.href)
  // Exit explicitly: stdin (console-producer) or a lingering socket must not keep a finished command alive.
  // Writes to pipes and files are synchronous on Linux, so nothing printed is lost.
  process.exit(await run(process.argv.slice(2)))
}
