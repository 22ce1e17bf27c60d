// @samsa/storage: Kafka's partition log on a FileSystem interface.
export {}
