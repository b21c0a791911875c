#!/usr/bin/env bash
# Builds a parser fuzzer (libFuzzer + AddressSanitizer) and runs it.
#
#   scripts/fuzz.sh [seconds] [http|json]    default 60 s of the HTTP request parser;
#                                            CI runs 60 s of http and 30 s of json
#
# `http` fuzzes the request parser (fuzz/ParserFuzzer, seeds fuzz/corpus/, fuzz/http.dict);
# `json` fuzzes the JSON parser (fuzz/JSONFuzzer, seeds fuzz/json-corpus/, fuzz/json.dict).
# The parser's files are compiled directly with swiftc, so the fuzzer needs neither a
# Package.swift target nor the rest of the engine. Each run works in its own folder
# .build-fuzz/run-<pid>/ (binary, a copy of the seed corpus, log), so two
# runs at once (a teammate's CI run beside a long local one) cannot disturb each other,
# and the committed seeds are never touched. A crashing input lands in fuzz/artifacts/
# (gitignored) and the script exits nonzero. Afterwards .build-fuzz/parser-fuzzer and
# .build-fuzz/fuzz.log (json: json-fuzzer, json-fuzz.log) are the latest run's; replay a
# crash with
#   .build-fuzz/parser-fuzzer fuzz/artifacts/crash-…
set -euo pipefail

# Everything is inside a function so bash has read the whole script before running any
# of it: editing this file during a long run cannot derail the run.
main() {
    cd "$(dirname "$0")/.."
    local seconds="${1:-60}"
    local target="${2:-http}"
    local out=.build-fuzz
    local run="$out/run-$$"
    rm -rf "$run"
    mkdir -p "$run" fuzz/artifacts

    local sources binary corpus dict logname module max_len
    case "$target" in
    http)
        # Only what the parser needs; ParserLimits+Configuration.swift is left out on
        # purpose (it pulls in HTTPServerConfiguration and with it the engine).
        sources=(
            Sources/HTTPServer/RequestParser.swift
            Sources/HTTPServer/RequestSyntax.swift
            Sources/HTTPServer/RequestHeadBuilder.swift
            Sources/HTTPServer/HTTPHeaders.swift
            Sources/HTTPServer/HTTPRequest.swift
            fuzz/ParserFuzzer/main.swift
        )
        binary=parser-fuzzer corpus=fuzz/corpus dict=fuzz/http.dict logname=fuzz.log
        module=ParserFuzzer max_len=4096
        ;;
    json)
        sources=(Sources/JSON/*.swift fuzz/JSONFuzzer/main.swift)
        binary=json-fuzzer corpus=fuzz/json-corpus dict=fuzz/json.dict logname=json-fuzz.log
        module=JSONFuzzer max_len=8192
        ;;
    *)
        echo "scripts/fuzz.sh: unknown target '$target' (http or json)" >&2
        exit 2
        ;;
    esac

    echo "building $run/$binary"
    # ld.gold warns about every ASan helper symbol ("Cannot export local symbol"): noise.
    if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -swift-version 6 \
        -module-name "$module" "${sources[@]}" -o "$run/$binary" 2>"$run/build.log"; then
        cat "$run/build.log" >&2
        exit 1
    fi
    grep -v 'Cannot export local symbol' "$run/build.log" >&2 || true
    cp -R "$corpus" "$run/corpus"

    local log="$run/$logname"
    echo "fuzzing $target for ${seconds}s (log: $log)"
    local status=0
    # Swift's own backtracer would run inside the ASan process after a fatalError and
    # trip ASan itself; libFuzzer's deadly-signal report is the one we want.
    SWIFT_BACKTRACE=enable=no "$run/$binary" "$run/corpus" \
        -dict="$dict" \
        -max_total_time="$seconds" \
        -max_len="$max_len" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -artifact_prefix=fuzz/artifacts/ \
        -print_final_stats=1 \
        >"$log" 2>&1 || status=$?

    # Renames, so a run still using the previous binary or log is not disturbed.
    cp "$log" "$out/$logname.$$" && mv -f "$out/$logname.$$" "$out/$logname"
    mv -f "$run/$binary" "$out/$binary"

    # The last status line and the final stats are the summary worth keeping.
    grep -aE '^#[0-9]+' "$log" | tail -n 1 || true
    grep -aE '^stat::' "$log" || true
    if [ "$status" -ne 0 ]; then
        echo "fuzzer FAILED (exit $status); see $out/$logname and fuzz/artifacts/" >&2
        grep -aE 'ERROR|Fatal error|SUMMARY|Test unit written' "$log" >&2 || true
        exit "$status"
    fi
    rm -rf "$run"
    echo "no crash in ${seconds}s of $target"
}

main "$@"
