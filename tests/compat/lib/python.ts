// Python client programs run under Debian's interpreter, where python3-confluent-kafka and python3-kafka live.

import type { ChildClient } from './child-driver.ts'

export const PYTHON = process.env.COMPAT_PYTHON ?? '/usr/bin/python3'
const clients = new URL('../clients/', import.meta.url).pathname

export function pythonClient(script: string): Omit<ChildClient, 'admin'> {
  return { command: PYTHON, args: ['-u', clients + script], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }
}
