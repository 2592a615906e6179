#!/usr/bin/env bash
# The version stamped into builds: `git describe`, marked -dirty when
# tracked files differ from the commit. The README's screenshots
# (assets/screenshots) do not count: the UI tests regenerate them on every
# run, and a build made after the tests is still the commit's build.
cd "$(dirname "$0")/.." || exit 1
v=$(git describe --tags --always 2>/dev/null) || { echo dev; exit 0; }
if [ -n "$(git status --porcelain --untracked-files=no -- . ':(exclude)assets/screenshots' 2>/dev/null)" ]; then
  v="$v-dirty"
fi
echo "$v"
