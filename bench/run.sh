#!/usr/bin/env bash
# Benchmark herald against Hugo on synthetic sites.
#
# Usage: bench/run.sh [N ...]        (default: 1000 10000)
#
# For each N: generates a site with N posts (bench/gen_posts.py) in a tmpfs
# folder under /dev/shm, then times, RUNS times each (default 3):
#   - the read-only floor: cat of every post file to /dev/null
#   - herald --config SITE/config.toml --now 2030-01-01T00:00:00Z build --out DIR
#   - hugo over the same posts (SITE/hugo)
# and prints a Markdown table. All output also goes to /dev/shm.
#
# Environment:
#   RUNS=3          runs per tool and N (best wall time is reported)
#   SKIP_BUILD=1    don't run `cargo build --release` (use the existing binary)
#   HERALD=path     herald binary to use (default: target/release/herald)
#   KEEP=1          keep the /dev/shm work folder instead of deleting it
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
NOW=2030-01-01T00:00:00Z
RUNS=${RUNS:-3}
SHM=/dev/shm

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'run.sh: warning: %s\n' "$*" >&2; }
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- arguments
if [ "$#" -eq 0 ]; then
    set -- 1000 10000
fi
for n in "$@"; do
    [[ "$n" =~ ^[1-9][0-9]{0,5}$ ]] || die "N must be an integer in 1..999999, got '$n' (usage: bench/run.sh [N ...])"
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"

# ---------------------------------------------------------------- tools
APT_UPDATED=0
apt_install() {
    local pkg=$1 sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "$pkg is missing and I am not root: install it with 'apt-get install $pkg'"
        sudo=sudo
    fi
    command -v apt-get >/dev/null 2>&1 || die "$pkg is missing and there is no apt-get: install it by hand"
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
        APT_UPDATED=1
    fi
    log "apt-get install $pkg"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$pkg" >/dev/null \
        || die "apt-get install $pkg failed"
}

command -v python3 >/dev/null 2>&1 || apt_install python3
command -v hugo >/dev/null 2>&1 || apt_install hugo
if ! /usr/bin/time -f '%e' true >/dev/null 2>&1; then
    apt_install time
fi
/usr/bin/time -f '%e' true >/dev/null 2>&1 || die "/usr/bin/time is not GNU time (need -f)"
[ -d "$SHM" ] && [ -w "$SHM" ] || die "$SHM is missing or not writable (need a tmpfs for the benchmark)"

# ---------------------------------------------------------------- herald
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    command -v cargo >/dev/null 2>&1 || die "cargo not found (set SKIP_BUILD=1 and HERALD=path to use a prebuilt binary)"
    log "cargo build --release (in $REPO_ROOT)"
    (cd "$REPO_ROOT" && cargo build --release) || die "cargo build --release failed"
fi
if [ -z "${HERALD:-}" ]; then
    target_dir=${CARGO_TARGET_DIR:-target}
    case "$target_dir" in
        /*) HERALD=$target_dir/release/herald ;;
        *) HERALD=$REPO_ROOT/$target_dir/release/herald ;;
    esac
fi
[ -x "$HERALD" ] || die "herald binary not found at $HERALD (build it with 'cargo build --release')"

# ---------------------------------------------------------------- work dir
WORK=$(mktemp -d "$SHM/herald-bench.XXXXXX") || die "cannot create a folder in $SHM"
cleanup() {
    local rc=$?
    if [ "${KEEP:-0}" = 1 ]; then
        log "keeping $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_s() {
    if [ -n "${EPOCHREALTIME:-}" ]; then
        printf '%s\n' "${EPOCHREALTIME/,/.}"
    else
        date +%s.%N
    fi
}

# timed LABEL STDOUT_FILE CMD...
# Runs CMD under GNU time; prints "wall_s peak_kb cpu_pct". wall_s is measured
# around the process with microsecond resolution (GNU time's %e only has
# 10 ms); peak RSS (%M, KiB) and CPU% (%P) come from GNU time.
timed() {
    local label=$1 out=$2
    shift 2
    local stats=$WORK/time.stats errlog=$WORK/time.stderr t0 t1 line
    t0=$(now_s)
    if ! /usr/bin/time -f '%e %M %P' -o "$stats" "$@" >"$out" 2>"$errlog"; then
        printf 'run.sh: error: %s failed: %s\n' "$label" "$*" >&2
        if [ "$out" != /dev/null ]; then tail -n 20 "$out" >&2 || true; fi
        tail -n 20 "$errlog" >&2 || true
        cat "$stats" >&2 || true
        exit 1
    fi
    t1=$(now_s)
    line=$(tail -n 1 "$stats")
    # shellcheck disable=SC2086
    set -- $line
    awk -v a="$t0" -v b="$t1" -v m="$2" -v p="$3" \
        'BEGIN { sub(/%/, "", p); if (p == "?") p = 0; printf "%.3f %d %d\n", b - a, m, p }'
}

# best RUNS_FILE -> "best_wall max_peak_kb cpu_of_best"
best() {
    sort -n -k1,1 "$1" | awk 'NR == 1 { w = $1; c = $3 } { if ($2 > m) m = $2 } END { printf "%s %d %s\n", w, m, c }'
}

mb() { awk -v b="$1" 'BEGIN { m = b / 1e6; printf (m < 10 ? "%.2f" : "%.1f"), m }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

HERALD_REV=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
HUGO_VER=$(hugo version 2>/dev/null | awk '{ print $2 }')
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
log "herald: $HERALD (rev $HERALD_REV); hugo $HUGO_VER; $(nproc) cores, $CPU_MODEL"
log "work folder: $WORK"
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
    warn "load average is $load: something else is using the CPU, timings will be noisy"
fi

ROWS=()
for n in "$@"; do
    site=$WORK/site-$n
    log "N=$n: generating site in $site"
    python3 "$SCRIPT_DIR/gen_posts.py" "$n" "$site" || die "gen_posts.py $n failed"
    in_bytes=$(find "$site/posts" -name '*.md' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    in_mb=$(mb "$in_bytes")
    newest=$(find "$site/posts" -name '*.md' -printf '%f\n' | sort | tail -n 1)
    newest_slug=${newest#*-}
    newest_slug=${newest_slug%.md}
    log "N=$n: $in_mb MB of posts"

    : >"$WORK/cat.runs"; : >"$WORK/herald.runs"; : >"$WORK/hugo.runs"
    for ((r = 1; r <= RUNS; r++)); do
        res=$(timed "cat (read floor)" /dev/null find "$site/posts" -name '*.md' -exec cat {} +)
        echo "$res" >>"$WORK/cat.runs"
        log "N=$n run $r/$RUNS  cat     wall/peakKiB/CPU%: $res"

        out=$WORK/out-herald
        rm -rf "$out"
        res=$(timed herald "$WORK/herald.log" "$HERALD" --config "$site/config.toml" --now "$NOW" build --out "$out")
        echo "$res" >>"$WORK/herald.runs"
        log "N=$n run $r/$RUNS  herald  wall/peakKiB/CPU%: $res"
        if [ "$r" -eq 1 ]; then
            pages=$(find "$out" -name index.html | wc -l)
            [ "$pages" -gt "$n" ] || warn "herald wrote $pages index.html files for $n posts (expected at least $((n + 1)))"
            [ -f "$out/$newest_slug/index.html" ] || warn "herald output has no $newest_slug/index.html (newest post)"
        fi

        out=$WORK/out-hugo
        rm -rf "$out"
        res=$(timed hugo "$WORK/hugo.log" hugo --source "$site/hugo" --destination "$out" \
            --cacheDir "$WORK/hugo-cache" --noBuildLock --quiet)
        echo "$res" >>"$WORK/hugo.runs"
        log "N=$n run $r/$RUNS  hugo    wall/peakKiB/CPU%: $res"
        if [ "$r" -eq 1 ]; then
            pages=$(find "$out" -name index.html | wc -l)
            # One page per post, the index paginated by 10, and page/1/ (a redirect to the index).
            expected=$((n + (n + 9) / 10 + 1))
            [ "$pages" -eq "$expected" ] || warn "hugo wrote $pages index.html files for $n posts (expected $expected)"
            items=$(grep -c '<item>' "$out/index.xml" || true)
            want=$((n < 20 ? n : 20))
            [ "$items" -eq "$want" ] || warn "hugo RSS has $items items (expected $want)"
        fi
    done
    rm -rf "$WORK/out-herald" "$WORK/out-hugo" "$site"

    read -r cat_w _ _ < <(best "$WORK/cat.runs")
    read -r he_w he_m he_c < <(best "$WORK/herald.runs")
    read -r hu_w hu_m _ < <(best "$WORK/hugo.runs")
    ratio=$(awk -v a="$hu_w" -v b="$he_w" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "n/a" }')
    tput=$(awk -v m="$in_mb" -v w="$he_w" 'BEGIN { if (w > 0) printf "%.1f", m / w; else print "n/a" }')
    ROWS+=("| $n | $in_mb | $cat_w | $he_w | $tput | $(mib "$he_m") | $he_c | $hu_w | $(mib "$hu_m") | $ratio |")
done

echo
echo "herald rev $HERALD_REV, hugo $HUGO_VER, $(nproc) cores ($CPU_MODEL), best of $RUNS runs, input and output on tmpfs"
echo
echo "| N posts | input MB | cat floor s | herald wall s | herald MB/s | herald peak RSS MiB | herald CPU % | hugo wall s | hugo peak RSS MiB | hugo / herald |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for row in "${ROWS[@]}"; do
    echo "$row"
done
