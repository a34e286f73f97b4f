#!/usr/bin/env bash
# Benchmark of photos: herald against Hugo resizing the same photos to the
# same widths (480, 960, 1600), in the same run.
#
# Usage: bench/images.sh [N]        (default: 1000 posts, one photo each)
#
# Generates two sites of N posts (bench/gen_posts.py): one as it is, one
# where every post is a folder with a 3000 x 2000 JPEG (bench/gen_images.py;
# Hugo gets the same page bundles and a render hook). Then times, once each:
#   - herald on the site without photos (the warm build's yardstick);
#   - herald cold (empty image cache) and warm (everything cached);
#   - Hugo cold (empty resource cache) and warm.
# Prints a Markdown table: wall time, peak memory, CPU, photos per second.
#
# The sites take about 5 GB and the outputs and caches as much again, so the
# work folder is on disk ($BENCH_DIR, default /var/tmp), not tmpfs.
#
# Environment:
#   SKIP_BUILD=1    don't run `cargo build --release` (use the existing binary)
#   HERALD=path     herald binary to use (default: target/release/herald)
#   BENCH_DIR=dir   where the work folder is made (default /var/tmp)
#   KEEP=1          keep the work folder instead of deleting it
#   SKIP_HUGO=1     time herald only (Hugo's cold run takes many minutes)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
NOW=2030-01-01T00:00:00Z
N=${1:-1000}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'images.sh: error: %s\n' "$*" >&2; exit 1; }

[[ "$N" =~ ^[1-9][0-9]{0,4}$ ]] || die "N must be an integer in 1..99999, got '$N'"

need() {
    command -v "$1" >/dev/null 2>&1 && return
    [ "$(id -u)" -eq 0 ] || die "$1 is missing: install the package $2 with apt-get"
    log "apt-get install $2"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null || die "cannot install $2"
}
[ "${SKIP_HUGO:-0}" = 1 ] || need hugo hugo
need cjpeg libjpeg-turbo-progs
need python3 python3
/usr/bin/time -f '%e' true >/dev/null 2>&1 || { need /usr/bin/time time; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "cargo build --release"
    (cd "$REPO_ROOT" && cargo build --release --quiet) || die "cargo build failed"
fi
HERALD=${HERALD:-${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/herald}
[ -x "$HERALD" ] || die "no herald binary at $HERALD"

WORK=$(mktemp -d "${BENCH_DIR:-/var/tmp}/herald-images.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT INT TERM

log "generating $N posts twice, then $N photos (3000 x 2000) for the second site"
python3 "$SCRIPT_DIR/gen_posts.py" "$N" "$WORK/plain" >/dev/null
python3 "$SCRIPT_DIR/gen_posts.py" "$N" "$WORK/photos" >/dev/null
python3 "$SCRIPT_DIR/gen_images.py" "$WORK/photos"
sync

# measure LABEL PHOTOS COMMAND...: runs COMMAND once into a fresh output and
# prints a table row; PHOTOS is how many photos it processed (0: none).
measure() {
    local label=$1 photos=$2
    shift 2
    rm -rf "$WORK/out"
    /usr/bin/time -f '%e %M %P' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" \
        || { cat "$WORK/err" >&2; die "$label failed"; }
    local wall kb cpu rate="–"
    read -r wall kb cpu <"$WORK/time"
    if [ "$photos" -gt 0 ]; then
        rate=$(python3 -c "print(f'{$photos / max($wall, 0.01):.1f}')")
    fi
    printf '| %s | %s s | %s MiB | %s | %s |\n' "$label" "$wall" "$((kb / 1024))" "$cpu" "$rate"
    log "$label: $wall s"
}

HERALD_ARGS=(--now "$NOW" build --out "$WORK/out")
HUGO_ARGS=(--source "$WORK/photos/hugo" --destination "$WORK/out" --cacheDir "$WORK/hugo-cache"
    --noBuildLock --quiet)

echo "| build ($N posts) | wall | peak memory | CPU | photos per second |"
echo "|---|---:|---:|---:|---:|"
measure "herald, no photos" 0 "$HERALD" --config "$WORK/plain/config.toml" "${HERALD_ARGS[@]}"
rm -rf "$WORK/photos/.herald"
measure "herald, photos, cold cache" "$N" "$HERALD" --config "$WORK/photos/config.toml" "${HERALD_ARGS[@]}"
measure "herald, photos, warm cache" 0 "$HERALD" --config "$WORK/photos/config.toml" "${HERALD_ARGS[@]}"
[ "${SKIP_HUGO:-0}" = 1 ] && exit 0
rm -rf "$WORK/hugo-cache" "$WORK/photos/hugo/resources"
measure "Hugo, photos, cold cache" "$N" hugo "${HUGO_ARGS[@]}"
measure "Hugo, photos, warm cache" 0 hugo "${HUGO_ARGS[@]}"
