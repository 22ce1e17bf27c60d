// The client's errors (ARCHITECTURE.md §9.8): a stable string `code` callers can switch on, a `retriable` flag and
// the `cause`. Broker answers carrying an error code become KafkaProtocolError, named from @samsa/protocol's one
// error table. Brands through Symbol.for let isSamsaError work across copies of this package, where instanceof
// would not (undici does the same).

import { errorInfo } from '@samsa/protocol'

export const SamsaErrorCode = {
  /** An option failed validation at construction; the message names the key. */
  INVALID_OPTION: 'SAMSA_ERR_INVALID_OPTION',
  /** An argument of a method call is not valid. */
  INVALID_ARGUMENT: 'SAMSA_ERR_INVALID_ARGUMENT',
  /** A request, a delivery or a blocked call ran out of time. */
  TIMEOUT: 'SAMSA_ERR_TIMEOUT',
  /** The connection failed or closed before a response arrived. */
  NETWORK: 'SAMSA_ERR_NETWORK',
  /** The broker answered with a Kafka error code (see KafkaProtocolError). */
  PROTOCOL: 'SAMSA_ERR_PROTOCOL',
  /** The broker and this client share no version of an API. */
  UNSUPPORTED_VERSION: 'SAMSA_ERR_UNSUPPORTED_VERSION',
  /** The producer, consumer or admin client was closed. */
  CLOSED: 'SAMSA_ERR_CLOSED',
  /** A feature this client does not implement yet. */
  NOT_IMPLEMENTED: 'SAMSA_ERR_NOT_IMPLEMENTED',
  /** A method was called in a state that does not allow it (e.g. send() on a transactional producer outside a transaction). */
  ILLEGAL_STATE: 'SAMSA_ERR_ILLEGAL_STATE',
  /** The open transaction failed and must be aborted with abortTransaction(); the producer stays usable. */
  TRANSACTION_ABORTABLE: 'SAMSA_ERR_TRANSACTION_ABORTABLE',
  /** The record was dropped because its transaction was aborted before it was sent. */
  TRANSACTION_ABORTED: 'SAMSA_ERR_TRANSACTION_ABORTED',
  /** TLS or SASL refused this client (bad credentials, an untrusted certificate, a mechanism not enabled). */
  AUTHENTICATION: 'SAMSA_ERR_AUTHENTICATION',
} as const
export type SamsaErrorCode = (typeof SamsaErrorCode)[keyof typeof SamsaErrorCode]

const SAMSA_ERROR = Symbol.for('samsa.client.error')
const KAFKA_PROTOCOL_ERROR = Symbol.for('samsa.client.kafkaProtocolError')

export interface SamsaErrorOptions {
  retriable?: boolean
  cause?: unknown
}

export class SamsaError extends Error {
  readonly code: SamsaErrorCode
  readonly retriable: boolean

  constructor(code: SamsaErrorCode, message: string, options: SamsaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SamsaError'
    this.code = code
    this.retriable = options.retriable ?? false
    Object.defineProperty(this, SAMSA_ERROR, { value: true })
  }
}

export interface KafkaProtocolErrorDetails {
  errorCode: number
  apiKey: number
  apiVersion: number
  topic?: string
  partition?: number
  /** The broker's own message (errorMessage fields), when it sent one. */
  brokerMessage?: string | null
}

export class KafkaProtocolError extends SamsaError {
  readonly errorCode: number
  readonly errorName: string
  readonly apiKey: number
  readonly apiVersion: number
  readonly topic: string | undefined
  readonly partition: number | undefined

  constructor(details: KafkaProtocolErrorDetails) {
    const info = errorInfo(details.errorCode)
    const where =
      details.topic === undefined
        ? ''
        : ` (${details.topic}${details.partition === undefined ? '' : `-${details.partition}`})`
    const extra = details.brokerMessage ? `: ${details.brokerMessage}` : ''
    super(SamsaErrorCode.PROTOCOL, `${info.name}${where}: ${info.message}${extra}`, { retriable: info.retriable })
    this.name = 'KafkaProtocolError'
    this.errorCode = details.errorCode
    this.errorName = info.name
    this.apiKey = details.apiKey
    this.apiVersion = details.apiVersion
    this.topic = details.topic
    this.partition = details.partition
    Object.defineProperty(this, KAFKA_PROTOCOL_ERROR, { value: true })
  }
}

export function isSamsaError(e: unknown): e is SamsaError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[SAMSA_ERROR] === true
}

export function isKafkaProtocolError(e: unknown): e is KafkaProtocolError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[KAFKA_PROTOCOL_ERROR] === true
}

/** Whether retrying the operation that threw `e` may succeed. Unknown errors are bugs and never retried. */
export function isRetriableError(e: unknown): boolean {
  return isSamsaError(e) && e.retriable
}

export function closedError(what: string): SamsaError {
  return new SamsaError(SamsaErrorCode.CLOSED, `the ${what} is closed`)
}
