#!/bin/sh
# For each network named in the arguments that exists: id, name, labels, IPAM pools, internal flag
# and driver options, then the containers attached to it (stopped ones included). A task that must
# change nothing is checked by comparing this output before and after it.
set -eu
for name in "$@"; do
  docker network inspect --format '{{.Id}} {{.Name}} {{json .Labels}} {{json .IPAM.Config}} {{.Internal}} {{json .Options}}' "$name" 2>/dev/null || { echo "$name absent"; continue; }
  echo "  attached: $(docker ps -aq --no-trunc --filter network="$name" | sort | tr '\n' ' ')"
done
