#!/usr/bin/env bash
# make demo: boots a container and shows it working. The runtime and daemon
# are not there yet; until they land this says so instead of pretending.
echo "make demo: not yet — the container runtime (issue 3) and the daemon (issue 4) have not landed."
echo "What works today: the domain XML model; try"
echo "  go test ./internal/domainxml/ -run TestLXCXML2XML -v"
