"""One worker of the transactional checker (txn-checker.test.ts): a consume-transform-produce loop on
confluent-kafka-python 1.7.0 (librdkafka 2.0.2) under /usr/bin/python3, written the way exactly-once applications are.

It consumes the input topic in group `checker` with isolation.level=read_committed and no auto-commit, and for each
transaction reads a few records, produces one output record per input record to the same partition number of the
output topic (value "inputPartition:inputOffset:worker:incarnation:txn"), adds the consumed positions with
send_offsets_to_transaction and then commits or, with the seeded probability, aborts and rewinds the consumer to the
group's committed offsets (consumer.committed, as Kafka's own exactly-once example does). A rebalance aborts the
open transaction in the revoke callback, before the partitions can move to another worker. A fatal error (fenced,
or a transaction whose outcome is unknown) replaces the producer with a new one (a new incarnation: its
init_transactions fences the old one and finishes the old transaction) and rewinds.

Every transaction is reported as one JSON line on stdout: what the worker believes happened (commit, abort, or
unknown when commit_transaction failed). The checker verifies the log, not these beliefs, and cross-checks them.
It stops on a line "stop" (or EOF) on stdin, or after cfg["maxSeconds"]; "freeze <point>" makes it a zombie.

Usage: python3 -u txn_worker.py '<json config>'
"""

import json
import os
import random
import signal
import sys
import threading
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition

cfg = json.loads(sys.argv[1])
worker = cfg["worker"]
rng = random.Random(cfg["seed"])
abort_rate = cfg["abortRate"]
max_txn = cfg["maxTxnRecords"]
started = time.time()
stop = threading.Event()


def emit(event, **fields):
    fields["ev"] = event
    fields["w"] = worker
    fields["at"] = int(time.time() * 1000)
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


# "freeze <point>" on stdin makes the worker stop itself (SIGSTOP) the next time it reaches that point of a
# transaction: "before-offsets" (records produced, offsets not yet added) or "before-commit" (offsets added, the
# commit not yet asked for). The checker thaws it (SIGCONT) after the group has moved its partitions away: a zombie.
freeze_at = {"point": None}
# "kill-during-commit <pid> <ms>" makes the worker SIGKILL that process (the broker) <ms> after its next
# commit_transaction starts: from here the signal lands within the commit's EndTxn, which the checker cannot time
# through a pipe.
kill_at_commit = {"pid": None, "ms": 0.0}


def watch_stdin():
    for line in sys.stdin:
        words = line.split()
        if words == ["stop"]:
            break
        if len(words) == 2 and words[0] == "freeze":
            freeze_at["point"] = words[1]
        if len(words) == 3 and words[0] == "kill-during-commit":  # pid 0 cancels
            kill_at_commit["ms"] = float(words[2])
            kill_at_commit["pid"] = int(words[1]) or None
    stop.set()


def kill_quietly(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def maybe_freeze(point):
    if freeze_at["point"] != point:
        return
    freeze_at["point"] = None
    producer.flush(10)  # the transaction's records are in the log (still uncommitted) while the zombie sleeps
    emit("frozen", point=point, inc=incarnation, txn=state["txn"], recs=state["recs"])
    os.kill(os.getpid(), signal.SIGSTOP)
    emit("thawed", point=point, inc=incarnation, txn=state["txn"])


threading.Thread(target=watch_stdin, daemon=True).start()


def should_stop():
    return stop.is_set() or time.time() - started > cfg["maxSeconds"]


def log_error(err):
    # error_cb: librdkafka's own reports (broker down, all brokers down, …); informational
    emit("client_error", msg=str(err))


class Fatal(Exception):
    """The producer must be replaced."""


def kafka_error(e):
    return e.args[0] if e.args and isinstance(e.args[0], KafkaError) else None


def retrying(what, op):
    """Runs a transactional API call, retrying retriable errors (the documented contract) until it succeeds;
    raises Abortable when the transaction must be aborted and Fatal when the producer must be replaced."""
    while True:
        try:
            return op()
        except KafkaException as e:
            err = kafka_error(e)
            if err is None or err.fatal():
                raise Fatal(f"{what}: {e}") from e
            if err.txn_requires_abort():
                raise Abortable(f"{what}: {e}") from e
            if err.retriable():
                emit("retry", op=what, msg=str(err))
                if should_stop():
                    raise Fatal(f"{what}: stopping while retrying {err}") from e
                time.sleep(0.1)
                continue
            raise Fatal(f"{what}: {e}") from e


class Abortable(Exception):
    """The transaction must be aborted (the producer stays usable)."""


incarnation = 0


def new_producer():
    global incarnation
    incarnation += 1
    producer = Producer(
        {
            "bootstrap.servers": cfg["bootstrap"],
            "transactional.id": f"checker-{worker}",
            "client.id": f"checker-{worker}-{incarnation}",
            "transaction.timeout.ms": 10000,
            "linger.ms": 2,
            "reconnect.backoff.ms": 50,
            "reconnect.backoff.max.ms": 500,
            "retry.backoff.ms": 50,
            "error_cb": log_error,
        }
    )
    while True:
        try:
            producer.init_transactions(10)
            emit("init", inc=incarnation)
            return producer
        except KafkaException as e:
            err = kafka_error(e)
            emit("retry", op="init_transactions", msg=str(e))
            if err is not None and err.fatal():
                raise
            if should_stop():
                raise
            time.sleep(0.2)


# The open transaction: its number and the (partition, offset) of each input record it holds.
state = {"txn": 0, "open": False, "recs": []}
producer = None


def report(event, why=None):
    emit(event, inc=incarnation, txn=state["txn"], recs=state["recs"], why=why)


def abort_open(why):
    """Aborts the open transaction (reported as aborted only if abort_transaction succeeded)."""
    global producer
    if not state["open"]:
        return
    state["open"] = False
    try:
        retrying("abort_transaction", lambda: producer.abort_transaction(10))
        report("abort", why)
    except (Fatal, Abortable) as e:
        report("unknown", f"{why}; abort failed: {e}")
        producer = new_producer()


def on_revoke(consumer, partitions):
    emit("revoke", parts=[tp.partition for tp in partitions])
    if state["open"]:
        abort_open("rebalance")
        state["rebalanced"] = True


def on_assign(consumer, partitions):
    emit("assign", parts=[tp.partition for tp in partitions])


consumer = Consumer(
    {
        "bootstrap.servers": cfg["bootstrap"],
        "group.id": cfg["group"],
        "client.id": f"checker-consumer-{worker}",
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 1000,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 500,
        "error_cb": log_error,
    }
)


def rewind(partitions):
    """Seeks each partition the aborted transaction consumed back to the group's committed offset."""
    tps = [TopicPartition(cfg["input"], p) for p in sorted(partitions)]
    while True:
        try:
            committed = consumer.committed(tps, timeout=10)
            break
        except KafkaException as e:
            emit("retry", op="committed", msg=str(e))
            if should_stop():
                return
            time.sleep(0.2)
    first = {}
    for p, o in state["recs"]:
        first[p] = min(o, first.get(p, o))
    for tp in committed:
        offset = tp.offset if tp.offset >= 0 else OFFSET_BEGINNING
        if tp.error is not None or tp.offset != first.get(tp.partition):
            emit("rewind_note", p=tp.partition, committed=tp.offset, first=first.get(tp.partition), err=str(tp.error))
        for attempt in range(50):
            try:
                consumer.seek(TopicPartition(cfg["input"], tp.partition, offset))
                emit("rewind", p=tp.partition, to=offset)
                break
            except KafkaException as e:
                if tp.partition not in {a.partition for a in consumer.assignment()}:
                    emit("rewind", p=tp.partition, to=None, why="no longer assigned")
                    break
                emit("retry", op="seek", p=tp.partition, msg=str(e))
                time.sleep(0.1)
        else:
            # the position stays past records whose transaction aborted: they would be skipped, so give up loudly
            emit("rewind_failed", p=tp.partition, to=offset)
            sys.exit(3)


producer = new_producer()
consumer.subscribe([cfg["input"]], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
emit("start")
carry = []

while not should_stop():
    state["txn"] += 1
    state["recs"] = []
    state["open"] = False
    state["rebalanced"] = False
    try:
        retrying("begin_transaction", producer.begin_transaction)
        state["open"] = True
        target = rng.randint(1, max_txn)
        deadline = time.time() + 1.0
        msgs = carry
        carry = []
        while len(msgs) < target and time.time() < deadline and not should_stop():
            msg = consumer.poll(0.1)
            if state["rebalanced"]:
                # the transaction was aborted by the revoke callback; a record returned now comes from the new
                # assignment (which starts at the committed offsets), so it opens the next transaction
                if msg is not None and msg.error() is None:
                    carry.append(msg)
                break
            if msg is None:
                continue
            if msg.error() is not None:
                emit("consumer_error", msg=str(msg.error()))
                continue
            msgs.append(msg)
        if state["rebalanced"]:
            continue
        if not msgs:
            retrying("commit_transaction(empty)", lambda: producer.commit_transaction(10))
            state["open"] = False
            continue
        for msg in msgs:
            p, o = msg.partition(), msg.offset()
            state["recs"].append([p, o])
            value = f"{p}:{o}:{worker}:{incarnation}:{state['txn']}"
            producer.produce(cfg["output"], value=value.encode(), key=f"{p}:{o}".encode(), partition=p)
        maybe_freeze("before-offsets")
        positions = {}
        for p, o in state["recs"]:
            positions[p] = max(o + 1, positions.get(p, 0))
        offsets = [TopicPartition(cfg["input"], p, o) for p, o in sorted(positions.items())]
        retrying(
            "send_offsets_to_transaction",
            lambda: producer.send_offsets_to_transaction(offsets, consumer.consumer_group_metadata(), 10),
        )
        if state["rebalanced"]:
            continue
        if rng.random() < abort_rate:
            abort_open("random")
            rewind({p for p, _ in state["recs"]})
        else:
            maybe_freeze("before-commit")
            if kill_at_commit["pid"] is not None:
                pid, kill_at_commit["pid"] = kill_at_commit["pid"], None
                emit("killing_broker", inc=incarnation, txn=state["txn"], ms=kill_at_commit["ms"])
                threading.Timer(kill_at_commit["ms"] / 1000, kill_quietly, (pid,)).start()
            try:
                retrying("commit_transaction", lambda: producer.commit_transaction(10))
                state["open"] = False
                report("commit")
            except Fatal as e:
                state["open"] = False
                report("unknown", str(e))
                producer = new_producer()
                rewind({p for p, _ in state["recs"]})
    except Abortable as e:
        abort_open(f"abortable: {e}")
        rewind({p for p, _ in state["recs"]})
    except Fatal as e:
        if state["open"]:
            state["open"] = False
            report("unknown", str(e))
        producer = new_producer()
        rewind({p for p, _ in state["recs"]})
    except BufferError as e:
        abort_open(f"buffer: {e}")
        rewind({p for p, _ in state["recs"]})

abort_open("stopping")
emit("done", inc=incarnation, txns=state["txn"])
consumer.close()
producer.flush(5)
