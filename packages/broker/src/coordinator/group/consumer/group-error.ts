// An expected protocol outcome raised deep inside a consumer group operation (Kafka's ApiException subclasses).
// It never leaves this folder: each public operation catches it and answers with its error code, writing no
// records, so an operation that fails changes nothing.

import { ErrorCode } from '@samsa/protocol'

export class GroupError extends Error {
  readonly code: number

  constructor(code: number, message: string) {
    super(message)
    this.code = code
  }
}

export function fail(name: keyof typeof ErrorCode, message: string): never {
  throw new GroupError(ErrorCode[name], message)
}
