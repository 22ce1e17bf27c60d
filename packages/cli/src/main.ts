// Process entry for every subcommand but `broker` (bin/samsa.js imports this module after its fast path).
// SIGINT/SIGTERM abort the commands' signal so long-running ones (console-consumer, perf tests) finish with their
// totals; a second signal exits at once.

import { run } from './index.ts'
import { processIo } from './io.ts'

export async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController()
  const stop = () => {
    if (controller.signal.aborted) process.exit(130)
    controller.abort()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    return await run(argv, processIo(controller.signal))
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}

// Run when executed directly from the sources (node --conditions=source --import tsx src/main.ts topics --list).
if ((process.argv[1] ?? '').endsWith('main.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e)
      process.exit(1)
    },
  )
}
