#!/usr/bin/env bash
# Benchmark (not a test): under `herald serve`, the time from saving a post
# to the page being served with the new text, on a generated site of N posts
# (default 1000, bench/gen_posts.py as bench/run.sh makes them).
#
# Usage: bench/serve.sh [N]
#
# Starts `herald serve --port 0` on the site (in a tmpfs folder under
# /dev/shm), listens to its event stream (what makes an open tab reload),
# then RUNS times (default 15): appends a new line to the newest post, and
# fetches that post's page every 5 ms until the line is in it. Prints, for
# "saved → reload announced" and "saved → page served with the new text",
# the median and the worst, and the build times herald reported.
#
# herald builds into a folder under $TMPDIR (default $XDG_RUNTIME_DIR, else /dev/shm): where that is
# matters more than anything else, since each build writes every page anew
# (on this machine, 1,000 posts take 0.25 s to build on tmpfs and 4.4 s on
# the ext4 /tmp while other builds run). The figures name its file system;
# `TMPDIR=/tmp bench/serve.sh` measures herald on the disk.
#
# Environment:
#   RUNS=15         saves to time
#   SKIP_BUILD=1    don't run `cargo build --release` (use the existing binary)
#   HERALD=path     herald binary to use (default: target/release/herald)
# A debug build's figures say nothing about the release: use the release.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
N=${1:-1000}
RUNS=${RUNS:-15}
NOW=2030-01-01T00:00:00Z

die() { printf 'serve.sh: error: %s\n' "$*" >&2; exit 1; }
[[ "$N" =~ ^[1-9][0-9]{0,5}$ ]] || die "N must be an integer in 1..999999, got '$N'"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
command -v python3 >/dev/null 2>&1 || die "python3 is needed (apt-get install python3)"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    (cd "$REPO_ROOT" && cargo build --release) || die "cargo build --release failed"
fi
if [ -z "${HERALD:-}" ]; then
    target_dir=${CARGO_TARGET_DIR:-target}
    case "$target_dir" in
        /*) HERALD=$target_dir/release/herald ;;
        *) HERALD=$REPO_ROOT/$target_dir/release/herald ;;
    esac
fi
[ -x "$HERALD" ] || die "herald binary not found at $HERALD"

WORK=$(mktemp -d /dev/shm/herald-serve-bench.XXXXXX) || die "cannot create a folder in /dev/shm"
SERVER=""
cleanup() {
    local rc=$?
    # SIGINT, as a person's Ctrl-C: herald removes its own temporary folder.
    if [ -n "$SERVER" ]; then
        kill -INT "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

site=$WORK/site
printf '==> generating %s posts in %s\n' "$N" "$site" >&2
python3 "$SCRIPT_DIR/gen_posts.py" "$N" "$site" >/dev/null || die "gen_posts.py failed"
newest=$(find "$site/posts" -name '*.md' -printf '%f\n' | sort | tail -n 1)
slug=${newest#*-}
slug=${slug%.md}

"$HERALD" --config "$site/config.toml" --now "$NOW" serve --port 0 \
    >"$WORK/url" 2>"$WORK/stderr" &
SERVER=$!
for _ in $(seq 600); do
    [ -s "$WORK/url" ] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/stderr" >&2; die "herald serve stopped"; }
    sleep 0.1
done
url=$(head -n 1 "$WORK/url")
[[ "$url" == http://127.0.0.1:* ]] || die "herald serve printed no URL"
printf '==> %s serving at %s; saving posts/%s %s times\n' "$HERALD" "$url" "$newest" "$RUNS" >&2

python3 - "$url" "$site/posts/$newest" "$slug" "$RUNS" <<'EOF'
import statistics, sys, threading, time, urllib.request

url, post, slug, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
announced = []  # when each reload event arrived (monotonic seconds)

def listen():
    with urllib.request.urlopen(url + "__herald/events") as stream:
        for line in stream:
            if line.startswith(b"data:"):
                announced.append(time.monotonic())

threading.Thread(target=listen, daemon=True).start()

def wait(condition, limit=30.0):
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            sys.exit("serve.sh: error: nothing happened within %.0f s" % limit)
        time.sleep(0.005)

wait(lambda: announced)  # the stream names the current build at once
original = open(post, encoding="utf-8").read()
served, reloads = [], []
try:
    for run in range(runs):
        marker = "serve-bench-%d-%d" % (run, time.time_ns())
        seen = len(announced)
        started = time.monotonic()
        with open(post, "w", encoding="utf-8") as f:
            f.write(original + "\n\n" + marker + "\n")
        page = url + slug + "/"
        wait(lambda: marker.encode() in urllib.request.urlopen(page).read())
        served.append(time.monotonic() - started)
        wait(lambda: len(announced) > seen)
        reloads.append(announced[seen] - started)
        print("run %d: reload announced %.0f ms, page served %.0f ms"
              % (run + 1, reloads[-1] * 1000, served[-1] * 1000), file=sys.stderr)
        time.sleep(0.3)  # apart, so that each save is a build of its own
finally:
    with open(post, "w", encoding="utf-8") as f:
        f.write(original)

ms = lambda xs: "%.0f ms" % (xs * 1000)
print("| measure | median | worst |")
print("|---|---:|---:|")
print("| saved → reload announced (event stream) | %s | %s |"
      % (ms(statistics.median(reloads)), ms(max(reloads))))
print("| saved → page served with the new text | %s | %s |"
      % (ms(statistics.median(served)), ms(max(served))))
EOF
builds=$(grep -o 'built [0-9]* posts in [0-9]* ms' "$WORK/stderr" | tail -n +2 | awk '{ print $5 }' | sort -n)
count=$(printf '%s\n' "$builds" | grep -c . || true)
if [ "$count" -gt 0 ]; then
    median=$(printf '%s\n' "$builds" | awk -v n="$count" 'NR == int((n + 1) / 2)')
    worst=$(printf '%s\n' "$builds" | tail -n 1)
    echo "| herald's rebuilds ($count, as it reports them) | $median ms | $worst ms |"
fi
echo
# Where herald serve puts its folder (src/serve/mod.rs, temp_parent).
tmp=${TMPDIR:-${XDG_RUNTIME_DIR:-}}
if [ -z "$tmp" ]; then
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then tmp=/dev/shm; else tmp=/tmp; fi
fi
echo "$N posts, herald rev $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, $RUNS saves, built into $tmp ($(stat -f -c %T "$tmp")), load average $(cut -d' ' -f1-3 /proc/loadavg)"
