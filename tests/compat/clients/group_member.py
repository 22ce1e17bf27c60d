"""Plumbing shared by the Python consumer-group members of the compat suite (see childGroupMember in
lib/group-scenario.ts): a member prints JSON lines on stdout, {"assigned": [p, ...]} with its whole assignment after
each change and {"record": [p, o]} per processed record, and stops on a "stop" line on stdin, stdin's end or SIGTERM.
"""

import argparse
import json
import signal
import sys
import threading

# the member's settings for every client: short enough that a test runs in seconds
SESSION_TIMEOUT_MS = 10000
HEARTBEAT_INTERVAL_MS = 500
AUTO_COMMIT_INTERVAL_MS = 200


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--strategy", help="partition assignment strategy (default: the client's)")
    parser.add_argument("--instance-id", help="group.instance.id: a static member")
    return parser.parse_args()


class Reporter:
    def __init__(self):
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        signal.signal(signal.SIGTERM, lambda *_: self.stopping.set())
        threading.Thread(target=self._watch_stdin, daemon=True).start()

    def _watch_stdin(self):
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        self.stopping.set()

    def _emit(self, event):
        with self._lock:
            sys.stdout.write(json.dumps(event) + "\n")
            sys.stdout.flush()

    def assigned(self, partitions):
        self._emit({"assigned": sorted(partitions)})

    def record(self, partition, offset):
        self._emit({"record": [partition, offset]})
