"""Reads a whole topic as a librdkafka read_committed consumer would (confluent-kafka-python 1.7.0, librdkafka 2.0.2,
under /usr/bin/python3), for txn-checker.test.ts to compare with its own read_committed filter over raw Fetch.

Assigns every partition from the beginning (no group), consumes until each partition reports its end (run it once the
last stable offset has reached the high watermark), and prints one JSON line per record:
{"p": partition, "o": offset, "v": value}. Exits non-zero if that does not happen within the timeout.

Usage: python3 -u txn_read_committed.py <bootstrap> <topic> <partitions> <timeout seconds>
"""

import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

bootstrap, topic, partitions, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
consumer = Consumer(
    {
        "bootstrap.servers": bootstrap,
        "group.id": "txn-checker-reader",
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
    }
)
tps = [TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)]
consumer.assign(tps)
done = set()
deadline = time.time() + timeout
while len(done) < partitions:
    if time.time() > deadline:
        print(f"read_committed reader: timed out, done {sorted(done)} of {partitions}", file=sys.stderr)
        sys.exit(1)
    msg = consumer.poll(0.5)
    if msg is None:
        continue
    if msg.error() is not None:
        # partition EOF: the fetcher reached the last stable offset (the checker waits for it to equal the high
        # watermark before reading)
        if msg.error().code() == -191:
            done.add(msg.partition())
            continue
        print(f"read_committed reader: {msg.error()}", file=sys.stderr)
        continue
    print(json.dumps({"p": msg.partition(), "o": msg.offset(), "v": msg.value().decode()}))
consumer.close()
