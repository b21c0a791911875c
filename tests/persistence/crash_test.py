#!/usr/bin/env python3
"""Crash test for --state-file (README, Durability).

For each --durability mode: SIGKILL rounds. Start the emulator on one state file,
send mixed changes (create, describe, stop, delete) from a few threads, kill it with
SIGKILL at a random moment, restart it on the same file and compare every workload
with what the clients were told:

  sync:  every acknowledged change is there;
  batch: every change acknowledged more than 50 ms before the kill is there.

Each thread owns its workloads, so the changes to one workload form a sequence; the
restored workload must be the result of a prefix of it that includes every change that
had to survive (and at most the one request still in flight). The state file must
load after every kill. The world grows across rounds, so the log is compacted into
new snapshots along the way.

Then a SIGTERM round: every acknowledged change must be there after a restart.

Usage: tests/persistence/crash_test.py --binary .build/release/workload-emulator [--rounds 50] [--seed N]
Exit status 0 when every round passed. Standard library only.
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import http.client

TOKEN = "crash-tester"
BATCH_WINDOW = 0.050  # seconds: batch may lose what was acknowledged this close to the kill


class Emulator:
    def __init__(self, binary, state_file, extra=()):
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--state-file", state_file, "--log-level", "warn", "--clock", "manual", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("workload-emulator listening on http://"):
            err = self.proc.stderr.read()
            self.proc.wait()
            raise RuntimeError(f"did not start (exit {self.proc.returncode}): {line!r} {err!r}")
        self.port = int(line.strip().rsplit(":", 1)[1])

    def request(self, method, path, body=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            data = None
            if body is not None:
                data = json.dumps(body)
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            text = r.read()
            return r.status, (json.loads(text) if text else None)
        finally:
            conn.close()

    def kill(self, sig):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=10)


# A workload's state as the test compares it: None (absent) or (description, stopped).
def observed(doc):
    return (doc.get("description"), doc["status"] == "stopping")


class Owner:
    """One thread's workloads: for each, the state it had at the restart and the
    changes since, each with the time it was acknowledged (None: still in flight)."""

    def __init__(self, rng):
        self.rng = rng
        self.base = {}       # id -> state at the last restart
        self.changes = {}    # id -> [(state after the change, ack time or None)]
        self.pending_create = None  # ack time None: a create in flight has no id yet
        self.acked = 0

    def current(self, wid):
        ch = self.changes.get(wid)
        if ch:
            return ch[-1][0]
        return self.base.get(wid)

    def live(self):
        return [w for w in set(self.base) | set(self.changes) if self.current(w) is not None]


def mutator(emu, owner, stop_event):
    rng = owner.rng
    while not stop_event.is_set():
        live = owner.live()
        op = rng.random()
        # Past a few hundred workloads, fewer creates and more deletes: the world stays
        # big enough for compactions and small enough for a round to take a second.
        grow = 0.45 if len(live) < 100 else 0.15
        try:
            if op < grow or not live:
                owner.pending_create = True
                s, doc = emu.request("POST", "/api/v2/workloads",
                                     {"name": f"w{rng.randrange(10**6)}", "artifact": {"name": "a"}})
                now = time.monotonic()
                owner.pending_create = None
                if s == 201:
                    owner.changes[doc["id"]] = [((doc.get("description"), False), now)]
                    owner.acked += 1
                continue
            wid = rng.choice(live)
            desc, stopped = owner.current(wid)
            if op < 0.60 or (grow < 0.45 and op < 0.75):
                owner.changes.setdefault(wid, []).append((None, None))
                s, _ = emu.request("DELETE", f"/api/v2/workloads/{wid}")
                ok = s == 204
            elif op < 0.75 and not stopped:
                owner.changes.setdefault(wid, []).append(((desc, True), None))
                s, _ = emu.request("POST", f"/api/v2/workloads/{wid}/stop")
                ok = s in (200, 202)
            else:
                text = f"d{rng.randrange(10**9)}"
                owner.changes.setdefault(wid, []).append(((text, stopped), None))
                s, _ = emu.request("PATCH", f"/api/v2/workloads/{wid}", {"description": text})
                ok = s == 200
            now = time.monotonic()
            state, _ = owner.changes[wid].pop()
            if ok:
                owner.changes[wid].append((state, now))
                owner.acked += 1
        except (OSError, http.client.HTTPException):
            return  # the process is gone; the change in flight stays marked with None


def check_round(emu, owners, kill_time, window):
    """Problems with the restored world, as sentences; then the restored world
    becomes every owner's new base."""
    problems = []
    s, state = emu.request("GET", "/__emulator/state")
    if s != 200:
        return [f"GET /__emulator/state answered {s}"]
    restored = {w["id"]: (w.get("description"), w["status"] == "stopping") for w in state["workloads"]}
    known = set()
    creates_in_flight = 0
    for o in owners:
        if o.pending_create:
            creates_in_flight += 1
        for wid in set(o.base) | set(o.changes):
            known.add(wid)
            seq = [(o.base.get(wid), 0.0)] + o.changes.get(wid, [])
            # The last change that had to survive: acknowledged, and long enough before the kill.
            must = 0
            for i, (_, at) in enumerate(seq):
                if at is not None and at <= kill_time - window:
                    must = i
            allowed = [st for st, _ in seq[must:]]
            got = restored.get(wid)
            if got not in allowed:
                problems.append(f"workload {wid}: restored as {got}, expected one of {allowed}")
    unknown = [w for w in restored if w not in known]
    if len(unknown) > creates_in_flight:
        problems.append(f"{len(unknown)} restored workloads nobody was told about "
                        f"(only {creates_in_flight} creates were in flight)")
    s, page = emu.request("GET", "/api/v2/workloads?limit=1")
    if s != 200 or page["totalCount"] != len(restored):
        problems.append(f"list totalCount {page and page.get('totalCount')} != {len(restored)} in the state")
    # The restored world is the next round's baseline.
    per_owner = {}
    for o in owners:
        for wid in set(o.base) | set(o.changes):
            per_owner[wid] = o
    for o in owners:
        o.base, o.changes, o.pending_create = {}, {}, None
    for i, wid in enumerate(sorted(restored)):
        (per_owner.get(wid) or owners[i % len(owners)]).base[wid] = restored[wid]
    return problems


def sigkill_rounds(binary, mode, rounds, rng, workdir, threads=4):
    state_file = os.path.join(workdir, f"{mode}.json")
    extra = ("--durability", mode)
    window = BATCH_WINDOW if mode == "batch" else 0.0
    owners = [Owner(random.Random(rng.random())) for _ in range(threads)]
    failures = 0
    total_acked = 0
    for i in range(rounds):
        emu = Emulator(binary, state_file, extra)
        stop = threading.Event()
        acked_before = sum(o.acked for o in owners)
        ts = [threading.Thread(target=mutator, args=(emu, o, stop)) for o in owners]
        for t in ts:
            t.start()
        time.sleep(rng.uniform(0.05, 0.5))  # allow-sleep: a random kill moment is the test's subject
        kill_time = time.monotonic()
        emu.kill(signal.SIGKILL)
        stop.set()
        for t in ts:
            t.join()
        acked = sum(o.acked for o in owners) - acked_before
        total_acked += acked
        try:
            emu = Emulator(binary, state_file, extra)
        except RuntimeError as e:
            print(f"{mode} round {i + 1:2d}: the state file does not load: {e}")
            return failures + 1
        problems = check_round(emu, owners, kill_time, window)
        restored = sum(len(o.base) for o in owners)
        emu.kill(signal.SIGTERM)
        if problems:
            failures += 1
        files = sorted(os.listdir(workdir))
        size = sum(os.path.getsize(os.path.join(workdir, f)) for f in files if f.startswith(f"{mode}.json"))
        print(f"{mode} round {i + 1:2d}: {'ok' if not problems else 'FAIL'}; {acked} changes acknowledged; "
              f"{restored} workloads restored; state {size} bytes in "
              f"{len([f for f in files if f.startswith(mode + '.json')])} files"
              + "".join(f"\n    {p}" for p in problems[:5]))
    print(f"SIGKILL {mode}: {rounds} kills, {failures} failed; {total_acked} acknowledged changes")
    return failures


def sigterm_round(binary, rng, workdir, mutations=300):
    state_file = os.path.join(workdir, "term.json")
    emu = Emulator(binary, state_file)
    alive, deleted, stopped, described = [], set(), set(), {}
    for n in range(mutations):
        op = rng.random()
        if op < 0.5 or not alive:
            s, doc = emu.request("POST", "/api/v2/workloads", {"name": f"t{n}", "artifact": {"name": "a"}})
            assert s == 201, (s, doc)
            alive.append(doc["id"])
        elif op < 0.65:
            wid = alive.pop(rng.randrange(len(alive)))
            assert emu.request("DELETE", f"/api/v2/workloads/{wid}")[0] == 204
            deleted.add(wid)
            stopped.discard(wid)
            described.pop(wid, None)
        elif op < 0.8:
            wid = rng.choice(alive)
            assert emu.request("POST", f"/api/v2/workloads/{wid}/stop")[0] in (200, 202)
            stopped.add(wid)
        else:
            wid = rng.choice(alive)
            text = f"d{n}"
            assert emu.request("PATCH", f"/api/v2/workloads/{wid}", {"description": text})[0] == 200
            described[wid] = text
    # SIGTERM right after the last acknowledgement: the shutdown write must carry it.
    code = emu.kill(signal.SIGTERM)
    emu = Emulator(binary, state_file)
    lost = []
    for wid in alive:
        s, doc = emu.request("GET", f"/api/v2/workloads/{wid}")
        if s != 200:
            lost.append(f"{wid} missing")
            continue
        if wid in stopped and doc["status"] not in ("stopping", "stopped"):
            lost.append(f"{wid} stop lost ({doc['status']})")
        if wid in described and doc["description"] != described[wid]:
            lost.append(f"{wid} description lost")
    for wid in deleted:
        if emu.request("GET", f"/api/v2/workloads/{wid}")[0] != 404:
            lost.append(f"{wid} deleted but back")
    s, page = emu.request("GET", "/api/v2/workloads?limit=1")
    if page["totalCount"] != len(alive):
        lost.append(f"totalCount {page['totalCount']} != {len(alive)}")
    emu.kill(signal.SIGTERM)
    print(f"SIGTERM: exit {code}; {mutations} acknowledged changes ({len(alive)} workloads alive, "
          f"{len(deleted)} deleted, {len(stopped)} stopped); lost: {len(lost)}"
          + "".join(f"\n    {x}" for x in lost[:10]))
    return (0 if code == 0 and not lost else 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.environ.get("EMULATOR_BINARY", ".build/debug/workload-emulator"))
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--modes", default="sync,batch")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    print(f"binary {args.binary}, seed {args.seed}")
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="emulator-crash-") as workdir:
        for mode in args.modes.split(","):
            started = time.monotonic()
            failures += sigkill_rounds(args.binary, mode, args.rounds, rng, workdir)
            print(f"{mode}: {time.monotonic() - started:.1f} s")
        failures += sigterm_round(args.binary, rng, workdir)
    print("PASS" if failures == 0 else f"FAIL ({failures})")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
