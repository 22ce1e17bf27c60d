// @samsa/broker: a Kafka-compatible broker. Embed it with `await startBroker({ config: { 'log.dirs': dir }, port: 0 })`,
// or run `samsa broker --config server.properties`.

export { startBroker, METADATA_FILE, type BoundListener, type BrokerOptions, type RunningBroker } from './broker.ts'
export { ConfigError } from './config/define.ts'
export { brokerConfigDefs, type BrokerConfig } from './config/broker-config.ts'
export { topicConfigDefs } from './config/topic-config.ts'
export { loadBrokerConfig, type ConfigInput, type StaticBrokerConfig } from './config/load.ts'
export { parseJavaProperties as parseProperties } from '@samsa/protocol'
export { consoleLogger, silentLogger, type LogLevel, type Logger } from './logger.ts'
