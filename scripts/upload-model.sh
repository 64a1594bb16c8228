#!/usr/bin/env bash
# Uploads a converted model folder (the output of `llava convert`, see docs/model-format.md) to the models
# container, under the blob folder the app downloads at start-up (LLAVA_MODEL_PREFIX).
#
#   scripts/upload-model.sh <model-folder> [blob-prefix]
#
# Needs (eval "$(azd env get-values)" after `azd up`): AZURE_STORAGE_ACCOUNT_NAME, LLAVA_MODEL_CONTAINER and,
# unless given as the second argument, LLAVA_MODEL_PREFIX. Authenticates with your Entra login (shared keys are
# off on the account): `azd up` grants the deploying user Storage Blob Data Contributor on that container.
# Tools: az. Restart the app afterwards to load the new model (the command is printed at the end).
set -euo pipefail

readonly required_vars=(AZURE_STORAGE_ACCOUNT_NAME LLAVA_MODEL_CONTAINER)

fail() {
  echo "upload-model: $*" >&2
  exit 1
}

usage="usage: scripts/upload-model.sh <model-folder> [blob-prefix]"

missing=()
for name in "${required_vars[@]}"; do
  if [[ -z "${!name:-}" ]]; then
    missing+=("$name")
  fi
done
if [[ $# -lt 2 && -z "${LLAVA_MODEL_PREFIX:-}" ]]; then
  missing+=("LLAVA_MODEL_PREFIX")
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  fail "missing required variable(s): ${missing[*]}. Load the azd environment first: eval \"\$(azd env get-values)\""
fi
[[ $# -ge 1 && $# -le 2 ]] || fail "$usage"

model_dir="$1"
prefix="${2:-$LLAVA_MODEL_PREFIX}"
prefix="${prefix%/}"

[[ -d "$model_dir" ]] || fail "'$model_dir' is not a folder. $usage"
for file in llava_manifest.json genai_config.json; do
  [[ -f "$model_dir/$file" ]] || fail "'$model_dir' has no $file: is it a folder written by 'llava convert'?"
done
[[ -n "$prefix" && "$prefix" != */* ]] || fail "the blob prefix must be one folder name (got '$prefix')"

command -v az >/dev/null 2>&1 || fail "'az' is required but not on PATH (see docs/deployment.md, Prerequisites)"

size="$(du -sh "$model_dir" | cut -f1)"
echo "Uploading $model_dir ($size) to $AZURE_STORAGE_ACCOUNT_NAME/$LLAVA_MODEL_CONTAINER/$prefix/ ..."
az storage blob upload-batch \
  --auth-mode login \
  --account-name "$AZURE_STORAGE_ACCOUNT_NAME" \
  --destination "$LLAVA_MODEL_CONTAINER" \
  --destination-path "$prefix" \
  --source "$model_dir" \
  --overwrite true \
  --max-connections 8 \
  --only-show-errors \
  --output none

echo "Uploaded. The app loads '$prefix' when a replica starts. If LLAVA_MODEL_PREFIX changed, run 'azd env set LLAVA_MODEL_PREFIX $prefix && azd provision';"
echo "otherwise restart running replicas: az containerapp revision restart -g \"\$AZURE_RESOURCE_GROUP\" -n \"\$SERVICE_LLAVA_NAME\" --revision \"\$(az containerapp show -g \"\$AZURE_RESOURCE_GROUP\" -n \"\$SERVICE_LLAVA_NAME\" --query properties.latestRevisionName -o tsv)\""
