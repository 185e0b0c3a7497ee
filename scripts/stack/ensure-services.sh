#!/usr/bin/env bash
# Makes sure what the project needs is there: node_modules, PostgreSQL (with the hll and
# tdigest extensions) and Redis. Starts a local server that is installed but stopped;
# otherwise says what to do. Safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

say() { echo "stack: $*"; }
die() { echo "stack: ERROR: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq >/dev/null || true; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- node modules ---------------------------------------------------------------------
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node modules (npm ci)"
  npm ci --no-audit --no-fund >/dev/null
fi

# --- PostgreSQL -----------------------------------------------------------------------
DB_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/analytics}"
DB_HOSTPORT="$(node -e 'const u=new URL(process.argv[1]);console.log((u.hostname||"127.0.0.1")+" "+(u.port||5432))' "$DB_URL")"
read -r DB_HOST DB_PORT <<<"$DB_HOSTPORT"
is_local() { [ "$1" = 127.0.0.1 ] || [ "$1" = localhost ] || [ "$1" = "::1" ]; }

if ! pg_isready -q -h "$DB_HOST" -p "$DB_PORT" 2>/dev/null; then
  if is_local "$DB_HOST" && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    say "starting the local PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h "$DB_HOST" -p "$DB_PORT" && break; sleep 1; done
  fi
  pg_isready -q -h "$DB_HOST" -p "$DB_PORT" 2>/dev/null ||
    die "PostgreSQL does not answer at $DB_HOST:$DB_PORT. Start it, or set DATABASE_URL to a server that runs."
fi

if is_local "$DB_HOST" && [ -d /usr/share/postgresql ]; then
  PG_MAJOR="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
  if [ -n "$PG_MAJOR" ] && { [ ! -f "/usr/share/postgresql/$PG_MAJOR/extension/hll.control" ] ||
    [ ! -f "/usr/share/postgresql/$PG_MAJOR/extension/tdigest.control" ]; }; then
    say "installing the PostgreSQL extensions hll and tdigest"
    apt_install "postgresql-$PG_MAJOR-hll" "postgresql-$PG_MAJOR-tdigest" ||
      die "could not install postgresql-$PG_MAJOR-hll and postgresql-$PG_MAJOR-tdigest; install them by hand"
  fi
fi

# --- Redis ----------------------------------------------------------------------------
REDIS="${REDIS_URL:-redis://127.0.0.1:6379}"
R_HOSTPORT="$(node -e 'const u=new URL(process.argv[1]);console.log((u.hostname||"127.0.0.1")+" "+(u.port||6379))' "$REDIS")"
read -r R_HOST R_PORT <<<"$R_HOSTPORT"
redis_up() { redis-cli -h "$R_HOST" -p "$R_PORT" ping 2>/dev/null | grep -q PONG; }
if ! redis_up; then
  if is_local "$R_HOST" && command -v redis-server >/dev/null; then
    say "starting the local Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$R_PORT" --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  fi
  redis_up || die "Redis does not answer at $R_HOST:$R_PORT. Start it, or set REDIS_URL to a server that runs."
fi
say "PostgreSQL and Redis answer"
