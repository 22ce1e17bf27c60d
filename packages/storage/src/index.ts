// @samsa/storage: Kafka's partition log on a FileSystem interface.
export {}
export type * from './api.ts'
