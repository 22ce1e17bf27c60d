"""confluent-kafka-python 1.7.0 (librdkafka 2.0.2) transactions for the compat suite (lib/txn-scenario.ts).

`python3 confluent_kafka_txn.py STEP JSON`: the step's options as JSON (plus "bootstrap"); prints one JSON line
with the result and exits 0, or exits 1 with the traceback on stderr. Steps: transactions, read-committed, ctp,
fence, timeout.
"""

import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition

TIMEOUT = 30  # seconds for each transactional call and each wait


def producer(options, transactional_id, **extra):
    return Producer(
        {
            "bootstrap.servers": options["bootstrap"],
            "client.id": "compat-confluent-python-txn",
            "transactional.id": transactional_id,
            "linger.ms": 5,
            **extra,
        }
    )


def send(p, topic, records):
    for r in records:
        p.produce(topic, value=r["value"].encode(), partition=r["partition"])
    if p.flush(TIMEOUT):
        raise TimeoutError("records still undelivered")


def transactions(options):
    p = producer(options, options["transactionalId"])
    p.init_transactions(TIMEOUT)
    for txn in options["transactions"]:
        p.begin_transaction()
        send(p, options["topic"], txn["records"])
        if txn["outcome"] == "commit":
            p.commit_transaction(TIMEOUT)
        else:
            p.abort_transaction(TIMEOUT)
    return None


def consumer(options, group, **extra):
    return Consumer(
        {
            "bootstrap.servers": options["bootstrap"],
            "client.id": "compat-confluent-python-txn",
            "group.id": group,
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            **extra,
        }
    )


def read_all(c, topic, partitions, expected=None):
    """Every partition from the beginning by assignment: until end of partition (at the last stable offset) on all."""
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    records, at_end = [], set()
    deadline = time.monotonic() + TIMEOUT
    while len(at_end) < partitions and (expected is None or len(records) < expected):
        if time.monotonic() > deadline:
            raise TimeoutError(f"read {len(records)} records, {len(at_end)} partitions at their end")
        msg = c.poll(0.5)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(msg.partition())
                continue
            raise KafkaException(msg.error())
        at_end.discard(msg.partition())
        records.append({"partition": msg.partition(), "offset": msg.offset(), "value": msg.value().decode()})
    return records


def read_committed(options):
    c = consumer(options, "compat-unjoined", **{"enable.partition.eof": True})
    try:
        return read_all(c, options["topic"], options["partitions"])
    finally:
        c.close()


def ctp(options):
    # consumer_group_metadata() of an assigned (not subscribed) consumer carries the group id with no generation,
    # which is what TxnOffsetCommit gets; the group has no members, so the broker takes the offsets as they are.
    c = consumer(options, options["group"], **{"enable.partition.eof": True})
    p = producer(options, options["transactionalId"])
    try:
        records = read_all(c, options["input"], options["partitions"], options["partitions"] * options["perPartition"])
        p.init_transactions(TIMEOUT)
        start = 0
        for step in options["steps"]:
            p.begin_transaction()
            batch = [r for r in records if start <= r["offset"] < step["upTo"]]
            send(p, options["output"], [{**r, "value": r["value"].upper()} for r in batch])
            offsets = [TopicPartition(options["input"], q, step["upTo"]) for q in range(options["partitions"])]
            p.send_offsets_to_transaction(offsets, c.consumer_group_metadata(), TIMEOUT)
            if step["outcome"] == "commit":
                p.commit_transaction(TIMEOUT)
            else:
                p.abort_transaction(TIMEOUT)
            start = step["upTo"]
    finally:
        c.close()
    return None


def fence(options):
    zombie = producer(options, options["transactionalId"])
    zombie.init_transactions(TIMEOUT)
    zombie.begin_transaction()
    send(zombie, options["topic"], options["first"])
    winner = producer(options, options["transactionalId"])
    winner.init_transactions(TIMEOUT)
    winner.begin_transaction()
    send(winner, options["topic"], options["second"])
    winner.commit_transaction(TIMEOUT)
    try:
        zombie.commit_transaction(TIMEOUT)
    except KafkaException as e:
        error = e.args[0]
        return {"error": f"{error.name()} fatal={error.fatal()}: {error.str()}"}
    raise RuntimeError("the fenced producer committed its transaction")


def timeout(options):
    p = producer(options, options["transactionalId"], **{"transaction.timeout.ms": options["transactionTimeoutMs"]})
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    send(p, options["topic"], options["records"])
    time.sleep(options["idleMs"] / 1000)
    try:
        p.commit_transaction(TIMEOUT)
    except KafkaException as e:
        error = e.args[0]
        return {"error": f"{error.name()} fatal={error.fatal()}: {error.str()}"}
    raise RuntimeError("the timed-out transaction committed")


STEPS = {
    "transactions": transactions,
    "read-committed": read_committed,
    "ctp": ctp,
    "fence": fence,
    "timeout": timeout,
}

if __name__ == "__main__":
    result = STEPS[sys.argv[1]](json.loads(sys.argv[2]))
    print(json.dumps(result), flush=True)
