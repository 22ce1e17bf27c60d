"""A consumer-group member on kafka-python 2.0.2 (Debian python3-kafka), classic protocol (group_member.py).

Its default assignors are range and roundrobin (eager): on_partitions_revoked gets everything before a rejoin and
on_partitions_assigned the whole new assignment. Auto-commit commits the positions poll() moved past; close()
commits them and sends LeaveGroup.
"""

import sys

from kafka import ConsumerRebalanceListener, KafkaConsumer

from group_member import AUTO_COMMIT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS, SESSION_TIMEOUT_MS, Reporter, parse_args

args = parse_args()
reporter = Reporter()


class Report(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        reporter.assigned([])

    def on_partitions_assigned(self, assigned):
        reporter.assigned([tp.partition for tp in assigned])


consumer = KafkaConsumer(
    bootstrap_servers=args.bootstrap,
    group_id=args.group,
    client_id=f"kafka-python-{args.name}",
    auto_offset_reset="earliest",
    enable_auto_commit=True,
    auto_commit_interval_ms=AUTO_COMMIT_INTERVAL_MS,
    session_timeout_ms=SESSION_TIMEOUT_MS,
    heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS,
)
consumer.subscribe([args.topic], listener=Report())
try:
    while not reporter.stopping.is_set():
        for tp, records in consumer.poll(timeout_ms=100).items():
            for record in records:
                reporter.record(tp.partition, record.offset)
finally:
    consumer.close(autocommit=True)
