#!/usr/bin/env bash
# Terraform, offline: `terraform fmt -check`, then for bootstrap/, every module
# and every environment: init (no backend, provider from the local mirror),
# validate, and the mock-provider tests (tests/*.tftest.hcl, each `run` block
# counted). A directory with input files, tests/inputs/<name>.tfvars (the
# stack: one per environment shape), runs its tests once per file, with
# -var-file. Last, the schema-change test: a copy of schema/products.yaml gains
# a GSI, `dynagen generate` rewrites the tfvars of a scratch copy of
# terraform/, and the dev plan must gain that index.
#
# Environment:
#   TF_PLUGIN_DIR   folder holding registry.terraform.io/ (the provider mirror);
#                   found under / (depth 3) when unset
#   DYNAGEN_CI=1    a missing terraform is a failure instead of a skip
# Last line: "terraform: N passed, M failed"; exit status non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TF_ROOT=terraform
LOG_DIR=$ROOT/build/test-logs/terraform
SUITE=terraform

# Every check prints "ok   ..." or "FAIL ..." and appends that line to
# $RESULTS; the directories run as parallel jobs, each with its own file.
ok() {
  echo "ok   $*"
  echo "ok   $*" >>"$RESULTS"
}
ko() {
  echo "FAIL $*"
  echo "FAIL $*" >>"$RESULTS"
}
show_log() { # log: the lines a person needs, without the colour and the box drawing
  sed -E 's/\x1b\[[0-9;]*m//g; s/^[│╷╵] ?//' "$1" | grep -v -E '^\s*$' | tail -n "${2:-25}" | sed 's/^/     /'
}

if ! command -v terraform >/dev/null 2>&1; then
  if [[ ${DYNAGEN_CI:-} == 1 ]]; then
    echo "FAIL terraform not found (DYNAGEN_CI=1: the Terraform checks are required)"
    echo "$SUITE: 0 passed, 1 failed"
    exit 1
  fi
  echo "SKIPPED: terraform not found"
  echo "$SUITE: 0 passed, 0 failed"
  exit 0
fi

start=$SECONDS
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
RESULTS=$LOG_DIR/main.results
: >"$RESULTS"
SCRATCH=
trap '[[ -n $SCRATCH ]] && rm -rf "$SCRATCH"' EXIT
JOBS=${TF_JOBS:-$(nproc 2>/dev/null || echo 2)}

# ---- offline provider --------------------------------------------------------
# The machine image holds an unpacked mirror of hashicorp/aws; init links to it
# in place (a symlink per directory, not a 700 MB copy).
find_plugin_dir() {
  local d
  if [[ -n ${TF_PLUGIN_DIR:-} ]]; then
    echo "$TF_PLUGIN_DIR"
    return
  fi
  while IFS= read -r d; do
    # A real provider binary, not a plugin cache of symlinks.
    if [[ -n $(find "$d" -type f -name 'terraform-provider-aws_*' -print -quit 2>/dev/null) ]]; then
      dirname "$d"
      return
    fi
  done < <(find / -maxdepth 3 -type d -name registry.terraform.io 2>/dev/null)
}
PLUGIN_DIR=$(find_plugin_dir)
init_args=(-backend=false -input=false -no-color)
if [[ -n $PLUGIN_DIR ]]; then
  echo "provider mirror: $PLUGIN_DIR"
  init_args+=("-plugin-dir=$PLUGIN_DIR")
else
  echo "note: no provider mirror found (set TF_PLUGIN_DIR); terraform init will try its default sources"
fi

export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
# No plugin cache: init links .terraform/providers straight to the unpacked
# mirror already, and a shared cache is not safe for the parallel jobs below
# (every init re-creates the cache entry, and a plan running meanwhile in
# another directory finds its provider missing).
unset TF_PLUGIN_CACHE_DIR
# A CLI config path that does not exist only adds a warning to every command.
if [[ -n ${TF_CLI_CONFIG_FILE:-} && ! -f $TF_CLI_CONFIG_FILE ]]; then
  unset TF_CLI_CONFIG_FILE
fi
terraform version | head -1

# ---- steps ---------------------------------------------------------------------

tf_init() { # dir label
  local log="$LOG_DIR/$2.init.log"
  if terraform -chdir="$1" init "${init_args[@]}" >"$log" 2>&1; then
    ok "$2: init"
    return 0
  fi
  ko "$2: init — log: $log"
  show_log "$log"
  return 1
}

tf_validate() { # dir label
  local log="$LOG_DIR/$2.validate.log"
  if terraform -chdir="$1" validate -no-color >"$log" 2>&1; then
    ok "$2: validate"
  else
    ko "$2: validate — log: $log"
    show_log "$log"
  fi
}

# Runs `terraform test` in dir; counts every run block (pass, or fail/skip).
# Extra arguments go to terraform test. Sets TEST_RC, TEST_PASSED, TEST_FAILED.
tf_test_raw() { # dir log [args...]
  local dir=$1 log=$2
  shift 2
  terraform -chdir="$dir" test -no-color "$@" >"$log" 2>&1
  TEST_RC=$?
  TEST_PASSED=$(grep -c -E '^ +run "[^"]+"\.\.\. pass$' "$log")
  TEST_FAILED=$(grep -c -E '^ +run "[^"]+"\.\.\. (fail|skip|error)$' "$log")
}

tf_test() { # dir label [args...]
  local dir=$1 label=$2 log="$LOG_DIR/$2.test.log" name
  shift 2
  tf_test_raw "$dir" "$log" "$@"
  while IFS= read -r name; do ok "$label: test $name"; done < <(sed -n -E 's/^ +run "([^"]+)"\.\.\. pass$/\1/p' "$log")
  while IFS= read -r name; do ko "$label: test $name — log: $log"; done < <(sed -n -E 's/^ +run "([^"]+)"\.\.\. (fail|skip|error)$/\1 (\2)/p' "$log")
  if ((TEST_PASSED + TEST_FAILED == 0)); then
    ko "$label: terraform test ran no test (exit $TEST_RC) — log: $log"
    show_log "$log"
  elif ((TEST_FAILED > 0)); then
    show_log "$log" 40
  elif ((TEST_RC != 0)); then
    ko "$label: terraform test exited $TEST_RC — log: $log"
    show_log "$log"
  fi
}

# ---- 1. formatting -------------------------------------------------------------
log="$LOG_DIR/fmt.log"
if terraform fmt -check -recursive -diff -no-color "$TF_ROOT" >"$log" 2>&1; then
  ok "fmt: terraform fmt -check -recursive"
else
  ko "fmt: files need \`terraform fmt -recursive terraform\` — log: $log"
  show_log "$log" 40
fi

# ---- 2. every root and module ----------------------------------------------------
check_dir() { # dir label
  local inputs input
  if tf_init "$1" "$2"; then
    tf_validate "$1" "$2"
    inputs=("$1"/tests/inputs/*.tfvars)
    if [[ -f ${inputs[0]} ]]; then
      for input in "${inputs[@]}"; do
        input=${input##*/}
        tf_test "$1" "$2.${input%.tfvars}" -var-file="tests/inputs/$input"
      done
    else
      tf_test "$1" "$2"
    fi
  else
    ko "$2: validate (not initialised)"
    ko "$2: test (not initialised)"
  fi
}

dirs=("$TF_ROOT/bootstrap")
for d in "$TF_ROOT"/modules/*/ "$TF_ROOT"/envs/*/; do
  [[ -f ${d%/}/main.tf ]] && dirs+=("${d%/}")
done

# ---- 3. schema change: a new GSI reaches the plan ---------------------------------
schema_change() {
  local label=schema-change dynagen=$ROOT/bin/dynagen tmp envdir log changed bad
  if [[ ! -x $dynagen ]]; then
    ko "$label: bin/dynagen is not built (make bin/dynagen); cannot regenerate the tfvars"
    return
  fi
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynagen-tf-schema.XXXXXX")
  SCRATCH=$tmp

  # A scratch copy of terraform/ (without init state), the schema and the last
  # generated model (so the destructive-change check sees a safe edit).
  mkdir -p "$tmp/schema" "$tmp/generated"
  tar -C "$ROOT" --exclude=.terraform --exclude=.terraform.lock.hcl -cf - "$TF_ROOT" | tar -C "$tmp" -xf -
  cp schema/products.yaml "$tmp/schema/"
  cp generated/* "$tmp/generated/" 2>/dev/null || true
  awk '{ print } /^  CategoryIndex:/ && !done {
         print "  CurrencyStockIndex: { type: global, partition: currency, sort: stock, projection: keys_only }"; done = 1 }' \
    schema/products.yaml >"$tmp/schema/products.yaml"
  if ! grep -q '^  CurrencyStockIndex:' "$tmp/schema/products.yaml"; then
    ko "$label: could not add the GSI to the schema copy (no '  CategoryIndex:' line in schema/products.yaml)"
    return
  fi

  envdir=$tmp/$TF_ROOT/envs/dev
  cp "$TF_ROOT/tests/schema_change/gsi_added.tftest.hcl" "$envdir/tests/"
  tf_init "$envdir" "$label.dev" || return

  # Before regeneration the plan must lack the index (proves the test can fail).
  log="$LOG_DIR/$label.before.log"
  tf_test_raw "$envdir" "$log" -filter=tests/gsi_added.tftest.hcl
  if ((TEST_FAILED == 1 && TEST_PASSED == 0)) && grep -q 'must hold the new GSI' "$log"; then
    ok "$label: the plan before regeneration lacks CurrencyStockIndex"
  else
    ko "$label: the plan before regeneration should fail on the missing GSI — log: $log"
    show_log "$log"
  fi

  log="$LOG_DIR/$label.generate.log"
  if (cd "$tmp" && "$dynagen" generate schema/products.yaml --out generated --tfvars "$TF_ROOT/envs") >"$log" 2>&1; then
    ok "$label: dynagen generate accepts the new GSI"
  else
    ko "$label: dynagen generate failed on the schema with a new GSI — log: $log"
    show_log "$log"
    return
  fi

  # A schema edit changes generated files only, never a hand-written one.
  changed=$(diff -rq -x .terraform -x .terraform.lock.hcl -x gsi_added.tftest.hcl "$ROOT/$TF_ROOT" "$tmp/$TF_ROOT" 2>&1)
  bad=$(grep -v -E '/(dynagen_tables\.tf|[A-Za-z0-9_]+\.auto\.tfvars) differ$' <<<"$changed" | grep -v '^$' || true)
  if [[ -n $bad ]]; then
    ko "$label: regeneration touched more than generated files:"
    sed 's/^/     /' <<<"$bad"
  elif ! grep -q 'envs/dev/products.auto.tfvars differ' <<<"$changed"; then
    ko "$label: regeneration did not change envs/dev/products.auto.tfvars"
  else
    ok "$label: only generated files changed ($(grep -c differ <<<"$changed") files)"
  fi

  tf_test "$envdir" "$label.dev" -filter=tests/gsi_added.tftest.hcl
}
# ---- run: directories and the schema change as parallel jobs, output in order ----
labels=()
for dir in "${dirs[@]}"; do
  label=${dir#"$TF_ROOT"/}
  labels+=("${label//\//.}")
done
labels+=(schema-change)

job() { # index
  local i=$1 label=${labels[$1]}
  RESULTS=$LOG_DIR/$label.results
  : >"$RESULTS"
  if [[ $label == schema-change ]]; then
    schema_change
    [[ -n $SCRATCH ]] && rm -rf "$SCRATCH"
  else
    check_dir "${dirs[$i]}" "$label"
  fi
}

# Longest first: the stack (one plan per environment shape and run), the
# schema change and the environments.
long() { [[ $1 == modules.stack || $1 == schema-change || $1 == envs.* ]]; }
order=()
for i in "${!labels[@]}"; do [[ ${labels[$i]} == modules.stack ]] && order+=("$i"); done
for i in "${!labels[@]}"; do [[ ${labels[$i]} != modules.stack ]] && long "${labels[$i]}" && order+=("$i"); done
for i in "${!labels[@]}"; do long "${labels[$i]}" || order+=("$i"); done

running=0
for i in "${order[@]}"; do
  if ((running >= JOBS)); then
    wait -n
    running=$((running - 1))
  fi
  job "$i" >"$LOG_DIR/${labels[$i]}.out" 2>&1 &
  running=$((running + 1))
done
wait

for label in "${labels[@]}"; do
  cat "$LOG_DIR/$label.out"
done

pass=$(cat "$LOG_DIR"/*.results | grep -c '^ok ')
fail=$(cat "$LOG_DIR"/*.results | grep -c '^FAIL ')
echo "terraform checks took $((SECONDS - start)) s ($JOBS jobs)"
echo "$SUITE: $pass passed, $fail failed"
((fail == 0))
