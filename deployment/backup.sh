#!/usr/bin/env bash
# Nightly backup: the database (custom-format dump) and uploaded files.
# Usage: backup.sh /etc/ckan/khtourism.ini /var/backups/khtourism
# Restore: see docs/operations.md ("Backups and restore").
set -euo pipefail
ini=${1:?config file}; target=${2:?backup folder}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
url=$(sed -n 's/^sqlalchemy.url *= *//p' "$ini" | head -1)
storage=$(sed -n 's/^ckan.storage_path *= *//p' "$ini" | head -1)
mkdir -p "$target"
pg_dump --format=custom --no-owner --file="$target/db-$stamp.dump" "$url"
[ -n "$storage" ] && tar -C "$storage" -czf "$target/storage-$stamp.tar.gz" .
# keep 30 days
find "$target" -name 'db-*.dump' -mtime +30 -delete
find "$target" -name 'storage-*.tar.gz' -mtime +30 -delete
echo "backup written to $target ($stamp)"
