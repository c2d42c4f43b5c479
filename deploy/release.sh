#!/usr/bin/env bash
# Release steps, in one place: `deploy/release.sh [static|database|all]`.
#
#   static    collectstatic: hashed, compressed files for whitenoise. Run it
#             where the app's files are built (the image, the virtualenv on
#             each host), once per build: it writes into STATIC_ROOT beside
#             the code, which every instance then serves read-only.
#   database  the deployment checks, then migrate. Run it once per release,
#             as a one-off job (the Procfile's "release" phase) before the
#             new instances take traffic; never from every instance at once.
#   all       both, for a single host (the default).
#
# The instances themselves keep no state: sessions and data are in
# PostgreSQL, the cache in Redis, uploads are never written to disk.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
STEP="${1:-all}"

case "$STEP" in
  static|database|all) ;;
  *) echo "usage: $0 [static|database|all]" >&2; exit 2 ;;
esac

if [ "$STEP" = static ] || [ "$STEP" = all ]; then
  # Compressing the files (plotly.js above all) can take a minute on 2 cores.
  "$PYTHON" manage.py collectstatic --no-input -v 0
  echo "Static files collected."
fi

if [ "$STEP" = database ] || [ "$STEP" = all ]; then
  # Refuse to release with settings that fail Django's deployment checks.
  "$PYTHON" manage.py check --deploy --fail-level WARNING
  # Migrations are written to work with the previous release's code, which
  # keeps serving until the new instances are up.
  "$PYTHON" manage.py migrate --no-input
  echo "Migrations applied."
  # Writes through Django keep derived data current (the stored outcome
  # totals, the reviews' superseded_on); a write made outside it (psql, a
  # partial restore) would not. A release derives them afresh.
  "$PYTHON" manage.py refresh_derived_data
fi
