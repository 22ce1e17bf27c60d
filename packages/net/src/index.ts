// @samsa/net: sockets for the Kafka wire protocol. Size-prefixed framing with a max-frame guard, a server
// Listener whose per-connection Sessions answer in request order, and a client Connection.

export { FrameDecoder, FrameTooLargeError, SIZE_PREFIX_BYTES, sizePrefix } from './framing.ts'
export {
  CLOSE_CONNECTION,
  Session,
  type ReleasingReply,
  type Reply,
  type SessionHandler,
  type SessionOptions,
} from './session.ts'
export { Listener, type ListenerAddress, type ListenerOptions } from './listener.ts'
export {
  Connection,
  ConnectionClosedError,
  RequestTimeoutError,
  type ConnectionOptions,
  type SendOptions,
} from './connection.ts'
