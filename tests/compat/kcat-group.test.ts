// kcat 1.7.1 (librdkafka 2.0.2) in balanced-consumer mode (-G): each member is a kcat child process. kcat prints
// every processed record's partition and offset (-f, unbuffered: -u) and, on stderr, each rebalance ("% Group … rebalanced
// (memberid …): assigned: topic [0], topic [1]"); SIGTERM makes it close the consumer, which commits and leaves.
// librdkafka 2.0.2 speaks only the classic protocol. No `-o`: in -G mode kcat applies it to every assigned partition,
// overriding the committed offsets; auto.offset.reset=earliest starts a new group at the beginning instead.

import type { ChildProcess } from 'node:child_process'
import { groupScenario, type GroupMember } from './lib/group-scenario.ts'
import { spawnTracked, stopChild } from './lib/processes.ts'

const KCAT = process.env.COMPAT_KCAT ?? 'kcat'

function kcatMember(child: ChildProcess): GroupMember {
  const records: { partition: number; offset: number }[] = []
  const assignments: number[][] = []
  let out = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    const lines = out.split('\n')
    out = lines.pop() ?? ''
    for (const line of lines) {
      const [partition, offset] = line.split(' ').map(Number)
      if (Number.isInteger(partition) && Number.isInteger(offset))
        records.push({ partition: partition as number, offset: offset as number })
    }
  })
  let err = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString()
    const lines = err.split('\n')
    err = lines.pop() ?? ''
    for (const line of lines) {
      const assigned = /rebalanced .*: assigned: (.*)$/.exec(line)
      if (assigned) assignments.push([...(assigned[1] ?? '').matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])).sort())
      else if (/rebalanced .*: revoked/.test(line)) assignments.push([])
    }
  })
  return { records, assignments, stop: () => stopChild(child, 15_000) }
}

groupScenario({
  client: 'kcat',
  protocols: ['classic'],
  driver: (target) => ({
    startMember({ group, topic, name }) {
      const child = spawnTracked(
        KCAT,
        [
          '-b',
          target.bootstrap,
          '-u',
          '-G',
          group,
          '-X',
          'auto.offset.reset=earliest',
          '-f',
          '%p %o\\n',
          '-X',
          `client.id=kcat-${name}`,
          '-X',
          'auto.commit.interval.ms=200',
          '-X',
          'session.timeout.ms=10000',
          '-X',
          'heartbeat.interval.ms=500',
          topic,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      return Promise.resolve(kcatMember(child))
    },
  }),
})
