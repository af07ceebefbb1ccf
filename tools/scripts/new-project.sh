#!/usr/bin/env bash
# Scaffolds one project: tools/scripts/new-project.sh <lib|app> <name> <tags comma-separated>
set -euo pipefail
kind=$1 name=$2 tags=$3
root=$([ "$kind" = app ] && echo "apps/$name" || echo "libs/$name")
mkdir -p "$root/src"
tagjson=$(printf '%s' "$tags" | awk -F, '{for(i=1;i<=NF;i++){printf "%s\"%s\"", (i>1?", ":""), $i}}')
targets='"typecheck": {}, "lint": {}, "test": {}'
[ "$kind" = app ] && targets="$targets, \"build\": {}"
cat > "$root/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$root/src",
  "projectType": "$([ "$kind" = app ] && echo application || echo library)",
  "tags": [$tagjson],
  "targets": { $targets }
}
JSON
cat > "$root/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
JSON
if [ "$kind" = lib ] && [ ! -f "$root/src/index.ts" ]; then echo "export {};" > "$root/src/index.ts"; fi
if [ "$kind" = lib ]; then
  node -e '
    const fs=require("fs");const f="tsconfig.base.json";const j=JSON.parse(fs.readFileSync(f,"utf8"));
    j.compilerOptions.paths["@contextforge/'"$name"'"]=["'"$root"'/src/index.ts"];
    j.compilerOptions.paths=Object.fromEntries(Object.entries(j.compilerOptions.paths).sort());
    fs.writeFileSync(f, JSON.stringify(j,null,2)+"\n");'
fi
npx prettier --write --log-level warn tsconfig.base.json "$root/project.json" "$root/tsconfig.json"
