// Page-aligned memory for O_DIRECT, which wants its buffers aligned to the block. Node has no way to ask for
// aligned memory, but WebAssembly memory is page-aligned (it is mapped whole), so it provides it.

const WASM_PAGE_BYTES = 65536

// The one piece of the WebAssembly API used here (the project's TypeScript libs do not declare it).
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => {
    buffer: ArrayBuffer | SharedArrayBuffer
  }
}

/** At least `bytes` of page-aligned memory (a whole number of 64 KiB WebAssembly pages). */
export function alignedMemory(bytes: number): Buffer {
  return Buffer.from(new WebAssembly.Memory({ initial: Math.ceil(bytes / WASM_PAGE_BYTES) }).buffer)
}

/** The same, shareable with worker threads. */
export function alignedSharedMemory(bytes: number): SharedArrayBuffer {
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES)
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer as SharedArrayBuffer
}
