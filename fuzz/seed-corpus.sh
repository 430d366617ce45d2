#!/usr/bin/env bash
# Builds the starting corpora under fuzz/corpus/ (gitignored) from the
# hand-written fuzz/seeds/ and the project's own test charts, fixtures and
# overlays. Safe to re-run: files are named by content hash.
set -euo pipefail
cd "$(dirname "$0")"
root=..
put() { # put TARGET < data
  local tmp
  tmp=$(mktemp)
  cat >"$tmp"
  mkdir -p "corpus/$1"
  mv "$tmp" "corpus/$1/seed-$(sha1sum <"$tmp" | cut -c1-16)"
}

for t in template chart_archive overlay image_ref post_render; do
  mkdir -p "corpus/$t"
  cp seeds/$t/* "corpus/$t/"
done
mkdir -p corpus/yaml_fast

# template: every template of the test charts, with its chart's values.yaml.
for chart in $(find $root/tests/charts -name Chart.yaml -printf '%h\n'); do
  for f in $(find "$chart/templates" -type f 2>/dev/null); do
    { cat "$f"; printf '\0'; cat "$chart/values.yaml" 2>/dev/null || true; } | put template
  done
done

# template: each TOML case of the expression tests as a template of its own
# (fromToml's lexer and parser: errors of every kind, nesting, date-times).
for f in $root/tests/expressions/toml.txt $root/tests/expressions/toml-errors.txt; do
  grep -v '^##' "$f" | while IFS= read -r expr; do
    [ -n "$expr" ] && printf '{{ %s }}' "$expr" | put template
  done
done

# chart_archive: each test chart as a .tgz (taken as it is) and as a bare tar
# (gzipped by the target), plus the archives the tests keep.
for chart in $root/tests/charts/*/; do
  name=$(basename "$chart")
  tar -C "$root/tests/charts" --owner=0 --group=0 --mtime=@0 -cf - "$name" | put chart_archive
  tar -C "$root/tests/charts" --owner=0 --group=0 --mtime=@0 -czf - "$name" | put chart_archive
done
for f in $(find $root/tests/charts -name '*.tgz'); do put chart_archive <"$f"; done

# overlay: the built-ins and the test fixtures' overlays.
for f in $root/overlays/*.yaml $root/tests/fixtures/overlay/*overlay*.yaml $root/tests/fixtures/overlay/bad.yaml; do
  put overlay <"$f"
done

# post_render: rendered manifests the tests compare against.
for f in $root/tests/expected/*.yaml $root/tests/fixtures/overlay/rendered.yaml $root/tests/fixtures/diff/*.yaml; do
  put post_render <"$f"
done

# image_ref: every image: value in the fixtures and expected output.
grep -rhoE 'image: *"?[^" ]+' $root/tests/expected $root/tests/fixtures $root/tests/charts 2>/dev/null |
  sed -E 's/image: *"?//' | sort -u | while read -r img; do printf '%s' "$img" | put image_ref; done

# yaml_fast: every YAML file of the project (values, overlays, stacks, expectations).
for f in $(find $root/tests $root/overlays $root/stacks $root/examples -name '*.yaml'); do
  put yaml_fast <"$f"
done

# stack_file: every stack file of the project, each with the locks the tests
# and examples keep (a stack, NUL, a lock), and each alone.
locks=$(find $root/tests $root/examples $root/stacks -name '*.lock' 2>/dev/null)
for f in $(find $root/stacks $root/examples $root/tests/fixtures/stacks -name '*.yaml' 2>/dev/null); do
  put stack_file <"$f"
  for l in $locks; do { cat "$f"; printf '\0'; cat "$l"; } | put stack_file; done
done

# cache_record: records as the cache writes them, and near misses.
printf '{"reference":"oci://registry.test/charts/tiny","version":"1.0.0","digest":"sha256:%064d","fetched_from":"fuzz"}' 0 | put cache_record
printf '{"reference":"oci://registry.test/charts/tiny","version":"1.0.0","digest":"sha256:../../outside.tgz","fetched_from":"fuzz"}' | put cache_record
printf '{"reference":"x","version":"1.0.0","digest":"sha256:ab","manifest_digest":"sha256:cd","origin":"y"}' | put cache_record

# post_render_overlay: each overlay the project ships or tests, NUL, each
# rendered stream the tests keep.
for o in $root/overlays/*.yaml $root/tests/fixtures/overlay/*overlay*.yaml; do
  for m in $root/tests/fixtures/overlay/rendered.yaml $root/tests/expected/*.yaml; do
    { cat "$o"; printf '\0'; cat "$m"; } | put post_render_overlay
  done
done

for t in template chart_archive overlay image_ref post_render yaml_fast stack_file cache_record post_render_overlay; do
  echo "$t: $(ls corpus/$t 2>/dev/null | wc -l) inputs"
done
