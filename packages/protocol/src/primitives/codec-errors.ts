// Errors raised by the codec itself (as opposed to Kafka error codes carried in messages, see ../errors.ts).
// Decode errors carry the path of the field that failed so a malformed frame can be logged usefully
// (`topics[3].partitions[0].records`); the path is built up as the error unwinds through struct and array readers.

const SAMSA_ERROR = Symbol.for('samsa.error')

export class ProtocolDecodeError extends Error {
  override name = 'ProtocolDecodeError'
  readonly code = 'SAMSA_ERR_PROTOCOL_DECODE'
  readonly [SAMSA_ERROR] = true
  /** Field path segments, outermost first. */
  readonly path: string[] = []
  readonly reason: string

  constructor(reason: string) {
    super(reason)
    this.reason = reason
  }

  /** Called while unwinding: prepends a field name or an `[index]` to the path and refreshes the message. */
  within(segment: string): this {
    this.path.unshift(segment)
    this.message = `${this.fieldPath}: ${this.reason}`
    return this
  }

  get fieldPath(): string {
    let out = ''
    for (const s of this.path) out += s.startsWith('[') || out === '' ? s : `.${s}`
    return out
  }
}

/** Wraps anything thrown below a field so the caller sees a ProtocolDecodeError with a path, never a RangeError. */
export function decodeErrorAt(error: unknown, segment: string): ProtocolDecodeError {
  if (error instanceof ProtocolDecodeError) return error.within(segment)
  const wrapped = new ProtocolDecodeError(error instanceof Error ? error.message : String(error))
  return wrapped.within(segment)
}

/** Encoding a value that the chosen version cannot carry (Kafka's UnsupportedVersionException). */
export class UnsupportedVersionError extends Error {
  override name = 'UnsupportedVersionError'
  readonly code = 'SAMSA_ERR_UNSUPPORTED_VERSION'
  readonly [SAMSA_ERROR] = true
}

/** A value that cannot be encoded at all: null in a non-nullable field, a string too long for its length prefix. */
export class ProtocolEncodeError extends Error {
  override name = 'ProtocolEncodeError'
  readonly code = 'SAMSA_ERR_PROTOCOL_ENCODE'
  readonly [SAMSA_ERROR] = true
}
