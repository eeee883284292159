#!/usr/bin/env bash
# Start one django-q2 cluster and the web server on $HOST:$PORT; stop both on Ctrl-C.
set -euo pipefail
BIN=${BIN:-.venv/bin}
"$BIN/python" manage.py qcluster &
cluster=$!
trap 'kill $cluster 2>/dev/null || true' EXIT INT TERM
echo
echo "Zhucun 驻村 → http://${HOST}:${PORT}/  (Ctrl-C 停止 / to stop)"
"$BIN/python" manage.py runserver "${HOST}:${PORT}"
