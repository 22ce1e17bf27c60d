// The setup most client test files share: one in-process broker, an admin client and a producer, opened before the
// file's tests and closed after them. Not exported by the package.

import { after, before } from 'node:test'
import { createAdmin, type Admin } from './admin/admin.ts'
import { createProducer, type Producer } from './producer/producer.ts'
import { startTestBroker, type TestBroker } from './testing.ts'

export interface ClientFixture {
  broker: TestBroker
  admin: Admin
  producer: Producer
}

/** Registers before/after hooks in the calling file; the fields are set once `before` has run. */
export function clientFixture(start: () => Promise<TestBroker> = () => startTestBroker()): ClientFixture {
  const fixture = {} as ClientFixture
  before(async () => {
    fixture.broker = await start()
    fixture.admin = createAdmin({ bootstrapServers: fixture.broker.bootstrapServers })
    fixture.producer = createProducer({ bootstrapServers: fixture.broker.bootstrapServers, lingerMs: 0 })
  })
  after(async () => {
    await fixture.producer.close()
    await fixture.admin.close()
    await fixture.broker.stop()
  })
  return fixture
}
