// A ClientDriver whose every step is one run of a client program (Python under /usr/bin/python3, or a Node 22
// script). The program takes a step name and --flags, and talks JSON lines through files:
//   create   --topic T --partitions N
//   produce  --topic T --codec C --in records.jsonl --out deliveries.jsonl
//   consume  --topic T --partitions N --out consumed.jsonl
//   offsets  --topic T --partitions N            (prints [{"partition","earliest","latest"}] on stdout)
//   delete   --topic T
// Every run also gets --bootstrap host:port and --timeout seconds (its own deadline, below the step's bound).

import { join } from 'node:path'
import { run } from './processes.ts'
import { readConsumedFile, readDeliveriesFile, writeRecordsFile, type PartitionOffsets } from './records.ts'
import type { ClientDriver, Step } from './scenario.ts'
import type { Target } from './target.ts'

export interface ChildClient {
  /** The program and the arguments before the step name. */
  command: string
  args: string[]
  env?: NodeJS.ProcessEnv
  /** Whether the program implements create/delete through the client's admin API. */
  admin: boolean
}

export function childDriver(client: ChildClient, target: Target, workDir: string): ClientDriver {
  const step = async (name: string, flags: string[], s: Step): Promise<string> => {
    const args = [
      ...client.args,
      name,
      '--bootstrap',
      target.bootstrap,
      '--timeout',
      String(Math.floor(s.timeoutMs / 1000) - 2),
      ...flags,
    ]
    const result = await run(client.command, args, { timeoutMs: s.timeoutMs, signal: s.signal, env: client.env })
    return result.stdout
  }
  const file = (topic: string, what: string): string => join(workDir, `${topic}.${what}.jsonl`)

  const driver: ClientDriver = {
    async produce(topic, codec, records, s) {
      const input = file(topic, 'records')
      const output = file(topic, 'deliveries')
      await writeRecordsFile(input, records)
      await step('produce', ['--topic', topic, '--codec', codec, '--in', input, '--out', output], s)
      return readDeliveriesFile(output)
    },
    async consume(topic, partitions, s) {
      const output = file(topic, 'consumed')
      await step('consume', ['--topic', topic, '--partitions', String(partitions), '--out', output], s)
      return readConsumedFile(output)
    },
    async listOffsets(topic, partitions, s) {
      return JSON.parse(
        await step('offsets', ['--topic', topic, '--partitions', String(partitions)], s),
      ) as PartitionOffsets[]
    },
  }
  if (client.admin) {
    driver.createTopic = async (topic, partitions, s) => {
      await step('create', ['--topic', topic, '--partitions', String(partitions)], s)
    }
    driver.deleteTopic = async (topic, s) => {
      await step('delete', ['--topic', topic], s)
    }
  }
  return driver
}
