// @samsa/cli: the `samsa` command's subcommands. `run(argv, io)` dispatches one command line and resolves with
// the exit code; the bin (bin/samsa.js) calls it with the process streams, tests with captured ones.
// `samsa broker` never reaches this module: the bin hands it to @samsa/broker's own entry so that a broker's
// cold start does not load the client.

import { readFileSync } from 'node:fs'
import { helpText, parse, UsageError, type Command } from './args.ts'
import { configsCommand } from './commands/configs.ts'
import { consoleConsumerCommand } from './commands/console-consumer.ts'
import { consoleProducerCommand } from './commands/console-producer.ts'
import { consumerGroupsCommand } from './commands/consumer-groups.ts'
import { consumerPerfTestCommand } from './commands/consumer-perf-test.ts'
import { deleteRecordsCommand } from './commands/delete-records.ts'
import { getOffsetsCommand } from './commands/get-offsets.ts'
import { producerPerfTestCommand } from './commands/producer-perf-test.ts'
import { topicsPlanCommand } from './commands/topics-plan.ts'
import { topicsCommand } from './commands/topics.ts'
import { errorMessage } from './format.ts'
import type { CliIo } from './io.ts'

export { captureIo, processIo, type CapturedIo, type CliIo } from './io.ts'
export { parseProperties } from './config.ts'

export const COMMANDS: readonly Command[] = [
  topicsCommand,
  consoleProducerCommand,
  consoleConsumerCommand,
  consumerGroupsCommand,
  configsCommand,
  deleteRecordsCommand,
  getOffsetsCommand,
  producerPerfTestCommand,
  consumerPerfTestCommand,
]

function usage(): string {
  const listed = [...COMMANDS, topicsPlanCommand]
  const width = Math.max(...listed.map((c) => c.name.length), 'broker'.length) + 2
  const lines = [
    `  ${'broker'.padEnd(width)}start a broker (samsa broker --help)`,
    ...listed.map((c) => `  ${c.name.padEnd(width)}${c.summary.split('. ')[0]?.replace(/\.$/, '')}`),
  ]
  return (
    'Usage: samsa <command> [options]\n\nKafka command-line tools with Kafka flags, for Samsa or any Kafka cluster.\n\n' +
    `Commands:\n${lines.join('\n')}\n\nRun 'samsa <command> --help' for a command's options.\n`
  )
}

/** The package's version (src/ and dist/ both sit beside package.json's folder). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === '--version') {
    io.stdout.write(`${version()} (Samsa)\n`)
    return 0
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage())
    return name === undefined ? 1 : 0
  }
  // `samsa topics plan` is a command of its own under the topics name (kafka-topics has no positional words).
  const command = name === 'topics' && rest[0] === 'plan' ? topicsPlanCommand : COMMANDS.find((c) => c.name === name)
  if (command === topicsPlanCommand) rest.shift()
  if (command === undefined) {
    io.stderr.write(`samsa: unknown command '${name}'\n\n${usage()}`)
    return 1
  }
  try {
    const args = parse(command, rest)
    if (args.flag('help')) {
      io.stdout.write(helpText(command))
      return 0
    }
    if (args.flag('version')) {
      io.stdout.write(`${version()} (Samsa)\n`)
      return 0
    }
    return await command.run(args, io)
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`samsa ${command.name}: ${e.message}\nRun 'samsa ${command.name} --help' for usage.\n`)
      return 1
    }
    io.stderr.write(`Error while executing ${command.name} command : ${errorMessage(e)}\n`)
    return 1
  }
}
