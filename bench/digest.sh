#!/usr/bin/env bash
# Benchmark (not a test): herald digest composing and sending N personalised
# messages (default 10,000) over 3 SMTP connections to Postfix's smtp-sink on
# 127.0.0.1, ledger on, no rate limit; compared in the same run with Postfix's
# smtp-source sending the same number of messages of the same size, and (when
# PostgreSQL is installed) with herald's ledger in a PostgreSQL server on this
# machine instead of the SQLite file: a throwaway cluster with the server's
# default durability (fsync and synchronous_commit on).
#
#   bash bench/digest.sh [N]        # prints the figures; BENCH_WRITE_README=1 also
#                                   # replaces the block between the markers in README.md
#   HERALD=path/to/herald bash bench/digest.sh   # use this release binary, build nothing
# Needs /work/shared/tools/postfix-smtp-tools (or POSTFIX_SMTP_TOOLS) for sink/source.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
TOOLS=${POSTFIX_SMTP_TOOLS:-/work/shared/tools/postfix-smtp-tools}
PORT=${BENCH_PORT:-2526}
WORK=$(mktemp -d)
PG_STOP=true
trap 'kill $SINK 2>/dev/null || true; eval "$PG_STOP"; rm -rf "$WORK"' EXIT

if [ -z "${HERALD:-}" ]; then
    cargo build --release -q
    HERALD=${CARGO_TARGET_DIR:-$PWD/target}/release/herald
fi

# A site with one long post (the message is about 45 KB) and N recipients.
site() { # $1 = folder, $2 = recipients, $3 = the ledger (default: the SQLite file)
    mkdir -p "$1/posts"
    STATE_LINE=""
    [ -n "${3:-}" ] && STATE_LINE="state = \"$3\""
    python3 - "$1" "$2" <<'EOF'
import sys
root, n = sys.argv[1], int(sys.argv[2])
para = ("Idag har vi haft ledarforum i plenisalen med många kloka frågor om "
        "samverkan, upphandling och ledarskap i kommunen. ") * 6
body = "\n\n".join(f"{para} [Läs vidare](del-{i}/)." for i in range(24))
open(f"{root}/posts/2013-09-27-lang.md", "w").write(
    f'+++\ntitle = "Veckans långa inlägg – åäö"\ndate = "2013-09-27"\n+++\n\n{body}\n')
with open(f"{root}/recipients.csv", "w") as f:
    f.write("email,name\n")
    for i in range(n):
        f.write(f"person{i}@example.se,Person Nummer {i}\n")
EOF
    cat > "$1/config.toml" <<EOF
[site]
title = "Kommunchefens blogg"
base_url = "https://kommunchefen.example.se/"
[site.author]
name = "Kommunchefen"
[digest]
from = "Kommunchefen <kommunchefen@example.se>"
recipients = "recipients.csv"
mode = "individual"
$STATE_LINE
[delivery]
max_per_minute = 0
[delivery.smtp]
host = "127.0.0.1"
port = $PORT
security = "none"
connections = 3
EOF
}

NOW=2013-09-27T18:00:00+02:00
site "$WORK/one" 1
"$HERALD" --config "$WORK/one/config.toml" --now $NOW -q digest --outbox "$WORK/one/out"
MSG=$(ls "$WORK"/one/out/*/*.eml)
SIZE=$(stat -c %s "$MSG")

"$TOOLS" sink 127.0.0.1:$PORT 256 >/dev/null 2>&1 &
SINK=$!
sleep 2

t0=$(date +%s.%N)
"$TOOLS" source -s 3 -m "$N" -F "$MSG" -f kommunchefen@example.se -t person@example.se 127.0.0.1:$PORT
t1=$(date +%s.%N)
GEN=$(python3 -c "print(round($N / ($t1 - $t0)))")

run_herald() { # $1 = recipients, $2 = the ledger (optional); prints "rate peak_kb"
    local dir="$WORK/h$1${2:+-pg}" s e
    site "$dir" "$1" "${2:-}"
    s=$(date +%s.%N)
    /usr/bin/time -f %M -o "$dir.rss" "$HERALD" --config "$dir/config.toml" --now $NOW -q digest
    e=$(date +%s.%N)
    python3 -c "print(round($1 / ($e - $s)), $(cat "$dir.rss"))"
}
read -r RATE PEAK < <(run_herald "$N")
read -r _ PEAK_SMALL < <(run_herald $((N / 10)))
RATIO=$(python3 -c "print(round(100 * $RATE / $GEN))")

# The same digest with the ledger in PostgreSQL on this machine (as root, the
# server runs as the postgres user, which Debian's package creates).
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PG_ROW=""
if [ -n "$PG_BIN" ]; then
    PG_DIR=$(mktemp -d)
    as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
    PG_PORT=${BENCH_PG_PORT:-5544}
    as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U herald --auth=trust -E UTF8 --locale=C >/dev/null
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
    PG_STOP="as_pg $PG_BIN/pg_ctl -D $PG_DIR/data -m immediate stop >/dev/null; rm -rf $PG_DIR"
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U herald bench
    read -r PG_RATE PG_PEAK < <(run_herald "$N" "postgres://herald@127.0.0.1:$PG_PORT/bench")
    PG_RATIO=$(python3 -c "print(round(100 * $PG_RATE / $RATE))")
    PG_ROW="
| \`herald digest\`, PostgreSQL ledger on this machine | $PG_RATE (**${PG_RATIO}%** of the SQLite ledger) | $((PG_PEAK / 1024)) MB |"
fi

REPORT="Measured by \`bash bench/digest.sh $N\` on $(nproc) cores, $(date -u +%Y-%m-%d): $N personalised
messages of $((SIZE / 1024)) KB to Postfix \`smtp-sink\` on 127.0.0.1, 3 connections, ledger on:

| sender | messages/s | peak memory |
| ------ | ---------- | ----------- |
| Postfix \`smtp-source -s 3\` (same size, same run) | $GEN | – |
| \`herald digest\` | $RATE (**${RATIO}%** of smtp-source) | $((PEAK / 1024)) MB ($((PEAK_SMALL / 1024)) MB for $((N / 10)) messages) |$PG_ROW"
echo "$REPORT"
if [ "${BENCH_WRITE_README:-}" = 1 ]; then
    python3 - "$REPORT" <<'EOF'
import re, sys
text = open("README.md").read()
block = "<!-- bench:digest -->\n" + sys.argv[1] + "\n<!-- /bench:digest -->"
text = re.sub(r"<!-- bench:digest -->.*?<!-- /bench:digest -->", lambda m: block, text, flags=re.S)
open("README.md", "w").write(text)
EOF
fi
