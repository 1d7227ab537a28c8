#!/usr/bin/env bash
# `make serve`: the production stack on this machine, against PostgreSQL: gunicorn (as in
# deploy/systemd/jiaxing-minzheng.service) and the background worker, in the foreground; Ctrl-C stops both.
# Production settings (DEBUG off, whitenoise's hashed static files, CSP), except that it speaks plain
# HTTP on 127.0.0.1, so cookies are not marked Secure and there is no redirect to HTTPS: nginx does
# TLS in a real deployment (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/jiaxing_minzheng}"
export DATABASE_CONN_MAX_AGE="${DATABASE_CONN_MAX_AGE:-60}"
export EVIDENCE_ROOT="${EVIDENCE_ROOT:-$PWD/var/serve/evidence}"
export DJANGO_DEBUG=false
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
export DJANGO_SECURE_COOKIES=false DJANGO_SECURE_SSL_REDIRECT=false DJANGO_HSTS_SECONDS=0
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:${PORT:-8000}}"
# A key kept beside the local data, made once: sessions survive a restart.
mkdir -p var/serve
[ -s var/serve/secret_key ] || (umask 077 && $PY -c "import secrets; print(secrets.token_urlsafe(50))" > var/serve/secret_key)
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(cat var/serve/secret_key)}"

case "$DATABASE_URL" in
  postgres*)
    if ! pg_isready -q -d "$DATABASE_URL" 2>/dev/null && [ "$(id -u)" = 0 ] && [ -d /etc/postgresql ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
      for _ in $(seq 1 30); do pg_isready -q -d "$DATABASE_URL" && break; sleep 1; done
    fi
    name="${DATABASE_URL##*/}"; server="${DATABASE_URL%/*}/postgres"
    psql "$server" -tAc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1 \
      || psql "$server" -qc "CREATE DATABASE \"$name\""
    ;;
esac

$PY manage.py migrate --noinput
if [ "${SERVE_DEMO:-1}" = 1 ]; then
  # seed_demo refuses to run with DEBUG off (it creates accounts with a known password) unless told
  # that this is a demonstration stack. SERVE_DEMO=0 skips it.
  $PY manage.py seed_demo --allow-production --quiet-accounts
fi
$PY manage.py collectstatic --noinput --verbosity 0
$PY manage.py check --deploy --fail-level ERROR

.venv/bin/gunicorn -c deploy/gunicorn.conf.py &
web=$!
$PY manage.py db_worker --no-reload &
worker=$!
trap 'kill -TERM $web $worker 2>/dev/null; wait $web $worker 2>/dev/null' INT TERM EXIT
echo "Serving http://$GUNICORN_BIND/ on $DATABASE_URL (gunicorn pid $web, worker pid $worker); Ctrl-C stops both."
wait -n $web $worker
