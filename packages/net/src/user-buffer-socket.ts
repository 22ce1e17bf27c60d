// A socket accepted by net.Server, re-made so that it reads into memory a FrameReader chooses.
//
// net.Socket's `onread` option (reads go into a caller-supplied buffer, and no 'data' chunks are made) exists for
// sockets one constructs, and net.Server offers no way to pass it for the ones it accepts. So the server accepts
// with pauseOnConnect (nothing has been read yet), and the accepted socket's handle moves to a new net.Socket
// built with `onread`, as net.Server itself wraps the handles it accepts. Neither the `handle` option nor the
// `_handle` field is documented; where the handle is missing the caller keeps the accepted socket and its 'data'
// events. The unit tests run on every Node line the project supports, so a change there shows.

import { Socket } from 'node:net'
import type { FrameReader } from './frame-reader.ts'

/** The undocumented fields this relies on: the handle, and the server whose connection count the socket keeps. */
interface AcceptedSocket {
  _handle?: object | null
  _server?: unknown
  server?: unknown
}

/**
 * Moves `accepted` (paused since accept) onto a new socket that reads through a reader made by `makeReader`, or
 * returns null (and leaves `accepted` untouched, and makes no reader) when its handle cannot be taken.
 */
export function readThroughFrameReader(
  accepted: Socket,
  makeReader: () => FrameReader,
  allowHalfOpen: boolean,
): { socket: Socket; reader: FrameReader } | null {
  const internals = accepted as unknown as AcceptedSocket
  const handle = internals._handle
  if (handle === undefined || handle === null || accepted.readableFlowing === true) return null
  const reader = makeReader()
  internals._handle = null
  const socket = new Socket({
    handle,
    allowHalfOpen,
    readable: true,
    writable: true,
    onread: {
      buffer: () => reader.nextBuffer(),
      callback: (nread: number) => {
        reader.received(nread)
        return true
      },
    },
  } as ConstructorParameters<typeof Socket>[0])
  // The server counts the connection on the socket it accepted and uncounts it when that socket closes: hand the
  // count over, so that server.close() still waits for this connection.
  const moved = socket as unknown as AcceptedSocket
  moved._server = internals._server
  moved.server = internals.server
  internals._server = null
  return { socket, reader }
}
