#!/bin/sh
# The `stepup` command on every step's PATH (installed as tools/bin/stepup in the SDK).
exec "${DOTNET_HOST_PATH:-dotnet}" "$(dirname "$0")/../cli/stepup.dll" "$@"
