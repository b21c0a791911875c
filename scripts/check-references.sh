#!/usr/bin/env bash
# Fails when a tracked file names something the repository does not hold: a path in
# backticks or a Markdown link (`scripts/test`, [x](docs/ARCHITECTURE.md)) that starts
# with one of the repository's top-level names but does not exist, notes that live
# outside the repository, or a path on the machine a file was written on.
#
#   scripts/check-references.sh
set -euo pipefail
cd "$(dirname "$0")/.."
git rev-parse --git-dir >/dev/null 2>&1 || { echo "check-references: not a git checkout, skipped"; exit 0; }

git ls-files -z | python3 -c '
import fnmatch, os, re, sys

tracked = [p for p in sys.stdin.read().split("\0") if p]
paths = set(tracked)
dirs = {os.path.dirname(p) for p in tracked}
while True:
    parents = {os.path.dirname(d) for d in dirs} - dirs
    if not parents - {""}:
        break
    dirs |= parents
dirs.discard("")
top = {p.split("/", 1)[0] for p in tracked}
this = "scripts/check-references.sh"
# Spelled in pieces so that this file does not match itself.
banned = [re.compile(x) for x in ("DEVELOPERS" + r"\.md", "TEAM" + r"\.md", "shared " + "folder", "/wo" + "rk/")]
token = re.compile(r"`([^`\n]+)`|\]\(([^)\s]+)\)")

def exists(ref):
    ref = ref.split("#", 1)[0].rstrip("/").rstrip(".,:;")
    ref = re.sub(r":\d+(-\d+)?$", "", ref)
    if not ref or ref.split("/", 1)[0] not in top:
        return True  # not a repository path (a URL, an API path, a command)
    if any(c in ref for c in "*?["):
        return any(fnmatch.fnmatch(p, ref) or fnmatch.fnmatch(p, ref + "/*") for p in tracked)
    if any(c in ref for c in "{}<>$…") or "VERSION" in ref or "NAME" in ref:
        return True  # a pattern, not a file
    return ref in paths or ref in dirs

problems = []
for path in tracked:
    if path == this or not os.path.isfile(path):
        continue
    try:
        text = open(path, encoding="utf-8").read()
    except (UnicodeDecodeError, OSError):
        continue
    for n, line in enumerate(text.splitlines(), 1):
        for rx in banned:
            if rx.search(line):
                problems.append(f"{path}:{n}: names {rx.pattern!r}, which is not in the repository")
        for m in token.finditer(line):
            ref = (m.group(1) or m.group(2)).strip()
            first = ref.split()[0] if ref.split() else ""
            if first and not exists(first):
                problems.append(f"{path}:{n}: {first} does not exist in the repository")
for p in problems:
    print("check-references: " + p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"check-references: ok ({len(tracked)} tracked files)")
'
