"""kafka-python 2.0.2 (Debian python3-kafka; codecs from python3-lz4, python3-snappy, python3-zstandard) steps."""

import logging

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from compat_io import LineWriter, main, print_offsets, read_records, remaining

logging.basicConfig(level=logging.WARNING)


def ms(args):
    return int(remaining(args) * 1000)


def common(args):
    return {"bootstrap_servers": [args.bootstrap], "client_id": "compat-kafka-python", "request_timeout_ms": 20000}


def check_errors(response):
    """CreateTopics/DeleteTopics responses: raise on any per-topic error code."""
    for result in getattr(response, "topic_errors", None) or getattr(response, "topic_error_codes", None) or []:
        name, code = result[0], result[1]
        if code != 0:
            raise RuntimeError(f"{type(response).__name__}: topic {name} error code {code} {result[2:]}")


def create(args):
    admin = KafkaAdminClient(**common(args))
    try:
        topic = NewTopic(name=args.topic, num_partitions=args.partitions, replication_factor=1)
        check_errors(admin.create_topics([topic], timeout_ms=ms(args) // 2))
    finally:
        admin.close()


def delete(args):
    admin = KafkaAdminClient(**common(args))
    try:
        check_errors(admin.delete_topics([args.topic], timeout_ms=ms(args) // 2))
    finally:
        admin.close()


def produce(args):
    codec = None if args.codec == "none" else args.codec
    producer = KafkaProducer(**common(args), compression_type=codec, acks="all", linger_ms=5)
    futures = [
        producer.send(args.topic, key=key, value=value, headers=headers)
        for key, value, headers in read_records(args.input)
    ]
    producer.flush(timeout=remaining(args))
    out = LineWriter(args.out)
    try:
        for index, future in enumerate(futures):
            metadata = future.get(timeout=remaining(args))  # raises the send's error
            out.delivery(index, metadata.partition, metadata.offset)
    finally:
        out.close()
        producer.close(timeout=5)


def assigned_consumer(args):
    # group_id=None: no group coordinator, no commits; assign() reads the partitions directly
    consumer = KafkaConsumer(**common(args), group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
    partitions = [TopicPartition(args.topic, p) for p in range(args.partitions)]
    consumer.assign(partitions)
    return consumer, partitions


def consume(args):
    consumer, partitions = assigned_consumer(args)
    consumer.seek_to_beginning(*partitions)
    out = LineWriter(args.out)

    def at_end(tp):
        # highwater() is the high watermark from the latest fetch response for the partition
        high = consumer.highwater(tp)
        return high is not None and consumer.position(tp) >= high

    try:
        while not all(at_end(tp) for tp in partitions):
            batches = consumer.poll(timeout_ms=min(1000, ms(args)))
            for tp, records in batches.items():
                for r in records:
                    out.record(r.partition, r.offset, r.key, r.value, r.headers)
    finally:
        out.close()
        consumer.close(autocommit=False)


def offsets(args):
    consumer, partitions = assigned_consumer(args)
    try:
        earliest = consumer.beginning_offsets(partitions)
        latest = consumer.end_offsets(partitions)
        print_offsets({tp.partition: (earliest[tp], latest[tp]) for tp in partitions})
    finally:
        consumer.close(autocommit=False)


main({"create": create, "delete": delete, "produce": produce, "consume": consume, "offsets": offsets})
