"""A consumer-group member on confluent-kafka-python 1.7.0 (librdkafka 2.0.2), classic protocol (group_member.py).

Auto-commit stores each offset as poll() returns the record, and close() commits what was stored and, for a dynamic
member, leaves the group; a static member (--instance-id) closes without LeaveGroup, as librdkafka does.
With --strategy cooperative-sticky the rebalance callbacks get increments (what is added, what is taken away)
instead of whole assignments, so the member keeps the set itself.
"""

import sys

from confluent_kafka import Consumer

from group_member import AUTO_COMMIT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS, SESSION_TIMEOUT_MS, Reporter, parse_args

args = parse_args()
reporter = Reporter()
config = {
    "bootstrap.servers": args.bootstrap,
    "group.id": args.group,
    "client.id": f"confluent-python-{args.name}",
    "auto.offset.reset": "earliest",
    "enable.auto.commit": True,
    "auto.commit.interval.ms": AUTO_COMMIT_INTERVAL_MS,
    "session.timeout.ms": SESSION_TIMEOUT_MS,
    "heartbeat.interval.ms": HEARTBEAT_INTERVAL_MS,
}
if args.strategy:
    config["partition.assignment.strategy"] = args.strategy
if args.instance_id:
    config["group.instance.id"] = args.instance_id
incremental = args.strategy == "cooperative-sticky"
owned = set()


def on_assign(consumer, partitions):
    # the binding (incremental_)assigns these itself once this returns
    global owned
    added = {tp.partition for tp in partitions}
    owned = owned | added if incremental else added
    reporter.assigned(owned)


def on_revoke(consumer, partitions):
    global owned
    owned = owned - {tp.partition for tp in partitions} if incremental else set()
    reporter.assigned(owned)


consumer = Consumer(config)
consumer.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
try:
    while not reporter.stopping.is_set():
        msg = consumer.poll(0.1)
        if msg is None:
            continue
        if msg.error() is not None:
            print(f"consumer error: {msg.error()}", file=sys.stderr, flush=True)
            continue
        reporter.record(msg.partition(), msg.offset())
finally:
    consumer.close()
