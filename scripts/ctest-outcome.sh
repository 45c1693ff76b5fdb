#!/usr/bin/env bash
# scripts/ctest-outcome.sh LOG: the tests a ctest run's output lists as not
# passed, in two lines ("failed: ..." and "skipped: ..."; a line only when
# it has names). ctest lists failures ("(Failed)", "(Timeout)",
# "(SEGFAULT)", ...) and, apart, tests that did not run ("(Skipped)",
# "(Disabled)", "(Not Run)"): a skipped test is not a failed one.
# Used by scripts/check-sanitizers.sh for its summary.
set -uo pipefail
if [ $# -ne 1 ] || [ ! -r "$1" ]; then
  echo "usage: ctest-outcome.sh CTEST-OUTPUT" >&2
  exit 2
fi
listed() { # the "N - name (status)" lines, as "status<TAB>name"
  sed -n 's/^[[:space:]]*[0-9][0-9]* - \(.*\) (\([^()]*\))$/\2\t\1/p' "$1"
}
failed=$(listed "$1" | grep -Ev '^(Skipped|Disabled|Not Run)'$'\t' | cut -f2 | tr '\n' ' ')
skipped=$(listed "$1" | grep -E '^Skipped'$'\t' | cut -f2 | tr '\n' ' ')
[ -z "$failed" ] || echo "failed: ${failed% }"
[ -z "$skipped" ] || echo "skipped: ${skipped% }"
exit 0
