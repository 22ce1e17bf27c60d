// An idempotent @platformatic/kafka 2.x producer for idempotence.test.ts, under Node 22 (scripts/with-node22.sh):
// `platformatic-idempotent.ts BOOTSTRAP TOPIC N` sends platformatic-0 … platformatic-(N-1) to partition 0, 20
// records per send, one send at a time, and exits 0 once every send has succeeded.

import { Producer } from '@platformatic/kafka'

const [bootstrap = '', topic = '', n = '0'] = process.argv.slice(2)
const producer = new Producer({
  clientId: 'compat-platformatic-idempotent',
  bootstrapBrokers: [bootstrap],
  idempotent: true,
  acks: -1,
  autocreateTopics: false,
  timeout: 10_000,
  retries: 10,
  retryDelay: 100,
})
try {
  const values = Array.from({ length: Number(n) }, (_, i) => `platformatic-${i}`)
  for (let i = 0; i < values.length; i += 20) {
    await producer.send({
      messages: values.slice(i, i + 20).map((value) => ({ topic, partition: 0, value: Buffer.from(value) })),
    })
  }
} finally {
  await producer.close()
}
