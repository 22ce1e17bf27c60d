// The thread behind background-writer.ts: takes append descriptors from shared memory in submission order and
// writes each one, with O_DIRECT when the descriptor names a direct descriptor (direct-append.ts), through the
// page cache otherwise. After a failed write it writes nothing more: the file must not get later bytes past a hole.

import { parentPort, workerData } from 'node:worker_threads'
import { appendDirect, appendDirectInPlace, writeFully } from './direct-append.ts'
import { CONTROL, SLOT_FIELDS, SLOTS, type BackgroundWriterMemory } from './background-writer-layout.ts'

const memory = workerData as BackgroundWriterMemory
const ring = Buffer.from(memory.ring)
const slots = new Float64Array(memory.slots)
const control = new Int32Array(memory.control)
/** Direct descriptors the kernel refused (EINVAL): their files are written through the page cache from then on. */
const refused = new Set<number>()

let next = Atomics.load(control, CONTROL.DONE)
let failed = false
for (;;) {
  const submitted = Atomics.load(control, CONTROL.SUBMITTED)
  if (submitted === next) {
    if (Atomics.load(control, CONTROL.STOP) !== 0) break
    Atomics.wait(control, CONTROL.SUBMITTED, submitted)
    continue
  }
  const at = (next & (SLOTS - 1)) * SLOT_FIELDS
  const fd = slots[at] as number
  const position = slots[at + 1] as number
  const offset = slots[at + 2] as number
  const length = slots[at + 3] as number
  const directFd = slots[at + 4] as number
  const inPlace = slots[at + 5] === 1
  if (!failed) {
    try {
      const data = ring.subarray(offset, offset + length)
      const direct = directFd >= 0 && !refused.has(directFd)
      const wrote =
        direct &&
        (inPlace
          ? appendDirectInPlace(fd, directFd, ring, offset, length, position)
          : appendDirect(fd, directFd, data, position))
      if (!wrote) {
        if (direct) refused.add(directFd)
        writeFully(fd, data, 0, length, position)
      }
    } catch (error) {
      failed = true
      Atomics.store(control, CONTROL.FAILED, 1)
      const { code, message } = error as NodeJS.ErrnoException
      parentPort?.postMessage({ code, message })
    }
  }
  next = (next + 1) | 0
  Atomics.store(control, CONTROL.DONE, next)
  Atomics.notify(control, CONTROL.DONE)
}
