"""Shared plumbing for the Python client programs of the compatibility suite (see lib/child-driver.ts).

Each program is `python3 <client>.py STEP --bootstrap H:P --timeout S [--topic T] [--partitions N] [--codec C]
[--in FILE] [--out FILE]` and registers one function per step with `main(steps)`. Byte fields in the JSON-lines
files are base64. Runs under Debian's /usr/bin/python3, where python3-confluent-kafka and python3-kafka live.
"""

import argparse
import base64
import json
import sys
import time


def parse_args(steps):
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=sorted(steps))
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--timeout", type=float, required=True, help="seconds this run may take")
    parser.add_argument("--topic")
    parser.add_argument("--partitions", type=int)
    parser.add_argument("--codec")
    parser.add_argument("--in", dest="input")
    parser.add_argument("--out")
    args = parser.parse_args()
    args.deadline = time.monotonic() + args.timeout
    return args


def remaining(args):
    """Seconds left before this run's deadline; raises once it has passed."""
    left = args.deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("step deadline passed")
    return left


def read_records(path):
    """[(key bytes, value bytes, [(header name, header bytes)])] from a records file."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                headers = [(name, base64.b64decode(value)) for name, value in r["h"]]
                out.append((base64.b64decode(r["k"]), base64.b64decode(r["v"]), headers))
    return out


def b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


class LineWriter:
    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8")

    def delivery(self, index, partition, offset):
        self.file.write(json.dumps({"i": index, "p": partition, "o": offset}) + "\n")

    def record(self, partition, offset, key, value, headers):
        headers = [[name, b64(value or b"")] for name, value in (headers or [])]
        self.file.write(json.dumps({"p": partition, "o": offset, "k": b64(key), "v": b64(value), "h": headers}) + "\n")

    def close(self):
        self.file.close()


def print_offsets(offsets):
    """offsets: {partition: (earliest, latest)}"""
    print(json.dumps([{"partition": p, "earliest": lo, "latest": hi} for p, (lo, hi) in sorted(offsets.items())]))


def main(steps):
    args = parse_args(steps)
    try:
        steps[args.step](args)
    except Exception as error:  # noqa: BLE001 - reported to the test with its type
        print(f"{args.step} failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
