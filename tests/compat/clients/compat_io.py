"""Shared plumbing for the Python client programs of the compatibility suite (see lib/child-driver.ts).

Each program registers one function per step with `main(steps)` and runs as `python3 <client>.py serve`: it reads
{"argv": [STEP, "--bootstrap", "H:P", "--timeout", "S", ...]} lines on stdin and answers each with one
{"ok": ..., "stdout": ..., "error": ...} line. `python3 <client>.py STEP --bootstrap ...` runs one step (for
debugging). Byte fields in the JSON-lines files are base64. Runs under Debian's /usr/bin/python3, where
python3-confluent-kafka and python3-kafka live.
"""

import argparse
import base64
import contextlib
import io
import json
import sys
import time
import traceback


class ArgumentError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ArgumentError(message)


def parse_args(steps, argv):
    parser = Parser()
    parser.add_argument("step", choices=sorted(steps))
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--timeout", type=float, required=True, help="seconds this run may take")
    parser.add_argument("--topic")
    parser.add_argument("--partitions", type=int)
    parser.add_argument("--codec")
    parser.add_argument("--in", dest="input")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
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


def run_step(steps, argv):
    """Runs one step; returns a reply {"ok", "stdout"} or {"ok": False, "error"}."""
    output = io.StringIO()
    try:
        args = parse_args(steps, argv)
        with contextlib.redirect_stdout(output):
            steps[args.step](args)
        return {"ok": True, "stdout": output.getvalue()}
    except Exception as error:  # noqa: BLE001 - reported to the test with its type
        traceback.print_exc(file=sys.stderr)
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def main(steps):
    if sys.argv[1:2] != ["serve"]:
        reply = run_step(steps, sys.argv[1:])
        if reply["ok"]:
            sys.stdout.write(reply["stdout"])
        sys.exit(0 if reply["ok"] else 1)
    for line in sys.stdin:
        if line.strip():
            reply = run_step(steps, json.loads(line)["argv"])
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
