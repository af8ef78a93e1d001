#!/bin/sh
# Secrets reach the container as files (compose secrets, Kubernetes secret volumes), never as image layers
# or `docker inspect` output: NAME_FILE=/run/secrets/x sets NAME to that file's content (trailing newlines
# dropped) for DATABASE_URL, MATTRAN_DIRECT_DATABASE_URL, PGPASSWORD and every other MATTRAN_* setting,
# as the postgres image does for its own variables. Then the command runs (mattran serve, mattran worker...).
set -eu

for name in $(env | grep -oE '^(DATABASE_URL|PGPASSWORD|MATTRAN_[A-Z0-9_]+)_FILE=' | sed 's/_FILE=$//'); do
    file=$(printenv "${name}_FILE")
    if [ -n "$(printenv "$name" || true)" ]; then
        echo "mattran-entrypoint: both $name and ${name}_FILE are set; keep one" >&2
        exit 64
    fi
    if [ ! -r "$file" ]; then
        echo "mattran-entrypoint: ${name}_FILE names $file, which cannot be read" >&2
        exit 66
    fi
    value=$(cat "$file")
    export "$name=$value"
    unset "${name}_FILE"
done

exec "$@"
