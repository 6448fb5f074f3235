#!/usr/bin/env bash
# The local AWS emulator (moto) for tests and for trying wway.
#
#   scripts/emulator.sh install   create .emulator/venv and install the pinned moto
#   scripts/emulator.sh start     start it on a free loopback port; prints the URL
#   scripts/emulator.sh url       print the URL of the running emulator
#   scripts/emulator.sh reset     wipe all its state
#   scripts/emulator.sh stop      stop it by its process id
#
# State lives in .emulator/ at the top of the checkout: venv/, pid, url, log.
# Then: export AWS_ENDPOINT_URL=$(scripts/emulator.sh url)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
home="$top/.emulator"
venv="$home/venv"
requirements="$top/scripts/emulator/requirements.txt"

python_bin() {
    command -v python3 || { echo "emulator: python3 is needed to run moto" >&2; exit 1; }
}

install() {
    mkdir -p "$home"
    # Reinstall only when the pinned requirements changed.
    if [ -x "$venv/bin/python" ] && cmp -s "$requirements" "$venv/requirements.txt"; then
        return
    fi
    rm -rf "$venv"
    "$(python_bin)" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
    echo "emulator: installed $(grep -v '^#' "$requirements")" >&2
}

running() {
    [ -f "$home/pid" ] && kill -0 "$(cat "$home/pid")" 2>/dev/null
}

start() {
    install
    if running; then
        cat "$home/url"
        return
    fi
    rm -f "$home/url"
    # The launcher binds port 0 (a free port) and writes the URL it got.
    nohup "$venv/bin/python" "$top/scripts/emulator/launcher.py" --url-file "$home/url" \
        >"$home/log" 2>&1 &
    echo $! >"$home/pid"
    for _ in $(seq 1 200); do
        [ -s "$home/url" ] && { cat "$home/url"; return; }
        running || break
        sleep 0.05
    done
    echo "emulator: did not start; its log:" >&2
    cat "$home/log" >&2
    exit 1
}

stop() {
    if running; then
        kill "$(cat "$home/pid")"
    fi
    rm -f "$home/pid" "$home/url"
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    url) running && cat "$home/url" || { echo "emulator: not running (scripts/emulator.sh start)" >&2; exit 1; } ;;
    reset) curl -fsS -X POST "$(cat "$home/url")/moto-api/reset" >/dev/null ;;
    stop) stop ;;
    *) sed -n '2,11p' "$0" >&2; exit 2 ;;
esac
