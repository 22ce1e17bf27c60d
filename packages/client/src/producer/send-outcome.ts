// The outcome of one send() call. Records of a call may land in several batches (partitions, batch.size), so each
// record carries its call and its place in it, and the call's promise settles once: with every record's metadata
// when the last is acknowledged, or with the first failure. One promise per call instead of one per record keeps
// the hot path free of per-record closures and microtasks (they were most of the producer's CPU time).

export interface RecordMetadata {
  topic: string
  partition: number
  /** -1n with acks=0, when the broker does not answer. */
  offset: bigint
  /** CreateTime of the record, or the broker's LogAppendTime when the topic uses it. */
  timestamp: number
}

export class SendOutcome {
  readonly promise: Promise<RecordMetadata[]>
  readonly #results: RecordMetadata[]
  #remaining: number
  #isSettled = false
  #resolve!: (results: RecordMetadata[]) => void
  #reject!: (error: unknown) => void

  constructor(recordCount: number) {
    this.#results = new Array<RecordMetadata>(recordCount)
    this.#remaining = recordCount
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    if (recordCount === 0) this.#settle()
  }

  get isSettled(): boolean {
    return this.#isSettled
  }

  delivered(index: number, metadata: RecordMetadata): void {
    if (this.#isSettled) return
    this.#results[index] = metadata
    if (--this.#remaining === 0) this.#settle()
  }

  failed(error: unknown): void {
    if (this.#isSettled) return
    this.#isSettled = true
    this.#reject(error)
  }

  #settle(): void {
    this.#isSettled = true
    this.#resolve(this.#results)
  }
}
