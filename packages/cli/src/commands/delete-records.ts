// `samsa delete-records`: kafka-delete-records.sh. Reads Kafka's offset JSON file
// ({"partitions":[{"topic":"t","partition":0,"offset":3}],"version":1}; offset -1 means the high watermark) and
// deletes every record before those offsets, printing each partition's new low watermark in Kafka's words.

import { readFileSync } from 'node:fs'
import { UsageError, type Command, type ParsedArgs } from '../args.ts'
import { adminFrom } from '../config.ts'
import { errorMessage, json } from '../format.ts'
import type { CliIo } from '../io.ts'

export const deleteRecordsCommand: Command = {
  name: 'delete-records',
  summary: 'Delete records before the given offsets (kafka-delete-records.sh).',
  usage: '--bootstrap-server <host:port> --offset-json-file <file>',
  flags: {
    'offset-json-file': {
      type: 'string',
      arg: 'file',
      description: 'JSON: {"partitions":[{"topic":"t","partition":0,"offset":3}],"version":1}',
    },
  },
  run: runDeleteRecords,
}

export interface DeleteRequest {
  topic: string
  partition: number
  offset: bigint
}

/** Kafka's offset JSON, with the field at fault named; a partition listed twice is refused, as Kafka does. */
export function parseOffsetJson(text: string): DeleteRequest[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`--offset-json-file is not JSON: ${(e as Error).message}`)
  }
  const partitions = (doc as { partitions?: unknown } | null)?.partitions
  if (!Array.isArray(partitions)) throw new UsageError('--offset-json-file needs a "partitions" array')
  const seen = new Set<string>()
  return partitions.map((p: unknown, i) => {
    const { topic, partition, offset } = (p ?? {}) as Record<string, unknown>
    if (typeof topic !== 'string' || topic === '') throw new UsageError(`partitions[${i}].topic must be a string`)
    if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0) {
      throw new UsageError(`partitions[${i}].partition must be a partition number`)
    }
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < -1) {
      throw new UsageError(`partitions[${i}].offset must be an offset (or -1 for the high watermark)`)
    }
    const key = `${topic}-${partition}`
    if (seen.has(key)) throw new UsageError(`Offset json file contains duplicate topic partitions: ${key}`)
    seen.add(key)
    return { topic, partition, offset: BigInt(offset) }
  })
}

async function runDeleteRecords(args: ParsedArgs, io: CliIo): Promise<number> {
  const path = args.requireString('offset-json-file')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UsageError(`--offset-json-file: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
  const requests = parseOffsetJson(text)
  const admin = adminFrom(args, io)
  try {
    if (!args.json) io.stdout.write('Executing records delete operation\n')
    // One request per partition so that one partition's failure is reported beside the others' results.
    const results = await Promise.all(
      requests.map(async (r) => {
        try {
          const [done] = await admin.deleteRecords({ partitions: [r] })
          return { topic: r.topic, partition: r.partition, lowWatermark: done?.lowWatermark ?? null, error: null }
        } catch (e) {
          return { topic: r.topic, partition: r.partition, lowWatermark: null, error: errorMessage(e) }
        }
      }),
    )
    if (args.json) io.stdout.write(json(results))
    else {
      io.stdout.write('Records delete operation completed:\n')
      for (const r of results) {
        io.stdout.write(
          r.error === null
            ? `partition: ${r.topic}-${r.partition}\tlow_watermark: ${r.lowWatermark}\n`
            : `partition: ${r.topic}-${r.partition}\terror: ${r.error}\n`,
        )
      }
    }
    return results.some((r) => r.error !== null) ? 1 : 0
  } finally {
    await admin.close()
  }
}
