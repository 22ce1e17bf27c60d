// Per-connection glue between @samsa/net's Session and the dispatcher: the connection's state (listener name,
// client address, the client software reported by ApiVersions v3+; the SASL stage will live here too) and the
// frame callback. Ordering, batching of writes and back-pressure are the net Session's job.

import type { Session, SessionHandler } from '@samsa/net'
import type { Logger } from '../logger.ts'
import type { Dispatcher } from './dispatcher.ts'
import type { ConnectionState } from './request-context.ts'

export function connectionHandler(
  dispatcher: Dispatcher,
  session: Session,
  listenerName: string,
  logger: Logger,
): SessionHandler {
  const state: ConnectionState = {
    connectionId: session.id,
    listenerName,
    clientAddress: `${session.remoteAddress}:${session.remotePort}`,
    clientSoftwareName: null,
    clientSoftwareVersion: null,
    recycleFrame: (frame) => session.recycleFrame(frame),
  }
  return {
    onFrame: (frame) => dispatcher.dispatch(frame, state),
    onClose: (_session, error) => {
      if (error !== undefined)
        logger.debug(`connection ${state.connectionId} from ${state.clientAddress} closed: ${error.message}`)
    },
  }
}
