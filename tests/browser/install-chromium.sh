#!/usr/bin/env bash
# Headless Chromium from Debian's packages for the browser test of the build report
# (tests/StepUp.Tests/EndToEnd/ReportBrowserTests.cs). Prints the browser's path; fails, saying
# why, when it cannot be installed. Does nothing when a Chromium is already there.
set -euo pipefail
for name in chromium chromium-browser; do
    if path=$(command -v "$name"); then echo "$path"; exit 0; fi
done
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "chromium is not installed, and installing it needs root and apt-get" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
command -v chromium
