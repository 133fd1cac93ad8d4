#!/bin/bash
# The dynsets tier through bnftd (the path `bnft` takes by default): the same
# checks as tier-dynsets.sh (direct CLI path), plus the daemon's set gc tick.
cd "$(dirname "$0")" && DYNSETS_DAEMON=1 ./tier-dynsets.sh | sed 's/^dynsets: /dynsets-daemon: /'
exit "${PIPESTATUS[0]}"
