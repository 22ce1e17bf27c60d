// DescribeLogDirs (35): v1-4.
// Behaviour: every log dir of this broker with the size of each partition stored in it (a null topic list means
// all partitions), offsetLag 0 (a single node has no future replicas), and v4's total and usable bytes of the
// file system holding the dir (KIP-827).
// Not implemented: future (being moved) replicas, offline log dirs (KAFKA_STORAGE_ERROR), v5's isCordoned,
// authorization.

import { statfsSync } from 'node:fs'
import { DescribeLogDirs, ErrorCode, type DescribeLogDirsResponse } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

type Result = DescribeLogDirsResponse['results'][number]

export const describeLogDirsHandler = defineHandler(
  DescribeLogDirs,
  { minVersion: 1, maxVersion: 4 },
  {
    handle(req, ctx) {
      const wanted =
        req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)] as const))
      const results = ctx.broker.partitions.describeLogDirs().map((dir): Result => {
        const byTopic = new Map<string, Result['topics'][number]>()
        for (const p of dir.partitions) {
          if (wanted !== null && !wanted.get(p.topic)?.has(p.partition)) continue
          let topic = byTopic.get(p.topic)
          if (topic === undefined) byTopic.set(p.topic, (topic = { name: p.topic, partitions: [] }))
          topic.partitions.push({
            partitionIndex: p.partition,
            partitionSize: BigInt(p.sizeInBytes),
            offsetLag: 0n,
            isFutureKey: false,
          })
        }
        const space = diskSpace(dir.logDir)
        return {
          errorCode: ErrorCode.NONE,
          logDir: dir.logDir,
          topics: [...byTopic.values()],
          totalBytes: space.totalBytes,
          usableBytes: space.usableBytes,
          isCordoned: false,
        }
      })
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results }
    },
    errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, results: [] }),
  },
)

function diskSpace(dir: string): { totalBytes: bigint; usableBytes: bigint } {
  try {
    const s = statfsSync(dir, { bigint: true })
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize }
  } catch {
    return { totalBytes: -1n, usableBytes: -1n }
  }
}
