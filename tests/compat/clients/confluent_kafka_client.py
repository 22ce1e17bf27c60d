"""confluent-kafka-python 1.7.0 (Debian python3-confluent-kafka, librdkafka 2.0.2) steps for the compat suite."""

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from compat_io import LineWriter, main, print_offsets, read_records, remaining


def config(args, **extra):
    return {"bootstrap.servers": args.bootstrap, "client.id": "compat-confluent-python", **extra}


def wait_futures(futures, args):
    for name, future in futures.items():
        future.result(timeout=remaining(args))  # raises KafkaException with the broker's error


def create(args):
    admin = AdminClient(config(args))
    topic = NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)
    wait_futures(admin.create_topics([topic], operation_timeout=remaining(args) / 2), args)


def delete(args):
    admin = AdminClient(config(args))
    wait_futures(admin.delete_topics([args.topic], operation_timeout=remaining(args) / 2), args)


def produce(args):
    producer = Producer(config(args, **{"compression.type": args.codec, "acks": "all", "linger.ms": 5}))
    out = LineWriter(args.out)
    errors = []

    def report(index):
        def on_delivery(err, msg):
            if err is not None:
                errors.append(f"#{index}: {err}")
            else:
                out.delivery(index, msg.partition(), msg.offset())

        return on_delivery

    for index, (key, value, headers) in enumerate(read_records(args.input)):
        while True:
            try:
                producer.produce(args.topic, value=value, key=key, headers=headers, on_delivery=report(index))
                break
            except BufferError:  # local queue full: serve delivery reports, then retry
                producer.poll(min(0.1, remaining(args)))
        producer.poll(0)
    left = producer.flush(remaining(args))
    out.close()
    if errors:
        raise RuntimeError(f"{len(errors)} delivery errors, first: {errors[0]}")
    if left:
        raise TimeoutError(f"{left} records still undelivered")


def group_free_consumer(args, **extra):
    # The Python binding refuses a Consumer without group.id; with assign() and no subscribe() or commit the group is
    # never joined.
    return Consumer(config(args, **{"group.id": "compat-unjoined", "enable.auto.commit": False, **extra}))


def consume(args):
    consumer = group_free_consumer(args, **{"enable.partition.eof": True})
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in range(args.partitions)])
    at_end = set()
    out = LineWriter(args.out)
    try:
        while len(at_end) < args.partitions:
            msg = consumer.poll(min(1.0, remaining(args)))
            if msg is None:
                continue
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(msg.partition())
                    continue
                raise RuntimeError(f"consume p{msg.partition()}: {msg.error()}")
            at_end.discard(msg.partition())
            out.record(msg.partition(), msg.offset(), msg.key(), msg.value(), msg.headers())
    finally:
        out.close()
        consumer.close()


def offsets(args):
    consumer = group_free_consumer(args)
    result = {}
    for p in range(args.partitions):
        result[p] = consumer.get_watermark_offsets(TopicPartition(args.topic, p), timeout=remaining(args), cached=False)
    consumer.close()
    print_offsets(result)


main({"create": create, "delete": delete, "produce": produce, "consume": consume, "offsets": offsets})
