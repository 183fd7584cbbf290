#!/usr/bin/env bash
# What `make test` needs beyond Python and npm, made ready on a fresh Debian machine:
# Debian's Chromium (and CJK fonts for Korean text) for the browser tests, LibreOffice
# Writer (no display) for the synthesis's DOCX, and the PostgreSQL and Redis servers on
# 127.0.0.1 for the scale-out tests. It installs
# what apt can install (as root), starts servers that are installed but stopped, and
# otherwise stops at once with one line that says what is missing and how to get it.
set -euo pipefail

missing() {
  echo "make test: $1" >&2
  exit 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  echo "make test: installing $* from Debian's packages (once)" >&2
  as_root apt-get update -qq >/dev/null &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Chromium for Playwright (never `playwright install`, which downloads a browser build).
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then
  apt_install chromium chromium-driver fonts-noto-cjk ||
    missing "Chromium and the CJK fonts are missing; install them with: sudo apt-get install chromium chromium-driver fonts-noto-cjk"
fi

# LibreOffice Writer without a display: the synthesis's DOCX must open in it.
if ! command -v soffice >/dev/null 2>&1; then
  apt_install --no-install-recommends libreoffice-writer-nogui ||
    missing "LibreOffice is missing (the DOCX test opens the synthesis in it); install it with: sudo apt-get install --no-install-recommends libreoffice-writer-nogui"
fi

# PostgreSQL on 127.0.0.1:5432 with trust auth and a database named test (as on CI).
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
      missing "PostgreSQL $version is installed but would not start: see sudo pg_ctlcluster $version main status"
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  else
    missing "PostgreSQL is not running on 127.0.0.1:5432; install it with: sudo apt-get install postgresql (trust auth for 127.0.0.1, as docs/deployment.md says)"
  fi
fi
if ! psql -h 127.0.0.1 -U postgres -d test -Atc "select 1" >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE test" >/dev/null 2>&1 ||
    missing "PostgreSQL on 127.0.0.1:5432 must let user postgres in without a password (trust) and have a database named test"
fi

# Redis on 127.0.0.1:6379 (the Socket.IO message queue of the scale-out tests).
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
  else
    missing "Redis is not running on 127.0.0.1:6379; install it with: sudo apt-get install redis-server"
  fi
fi
