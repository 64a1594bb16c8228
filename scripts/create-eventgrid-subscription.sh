#!/usr/bin/env bash
# azd postdeploy hook: subscribes the CaptionOnUpload blob trigger (Source = EventGrid) to BlobCreated events of
# the images container.
#
# Why after deploy: the webhook URL carries the Functions host's `blobs_extension` system key, which exists only
# once the real app image runs. The script wakes the app (it may be scaled to zero), waits for the key, then
# creates or updates the Event Grid subscription on the storage account's system topic. Safe to re-run.
#
# Needs (azd passes its environment to hooks; by hand: eval "$(azd env get-values)"):
#   AZURE_RESOURCE_GROUP, SERVICE_LLAVA_NAME, SERVICE_LLAVA_URI, EVENTGRID_SYSTEM_TOPIC_NAME, LLAVA_IMAGES_CONTAINER
# Optional: WAKE_TIMEOUT_SECONDS (default 1200), EVENTGRID_SUBSCRIPTION_NAME (default images-blob-created).
# Tools: az (with the containerapp extension, installed on demand), curl.
set -euo pipefail

readonly function_name="CaptionOnUpload"
readonly required_vars=(AZURE_RESOURCE_GROUP SERVICE_LLAVA_NAME SERVICE_LLAVA_URI EVENTGRID_SYSTEM_TOPIC_NAME LLAVA_IMAGES_CONTAINER)

fail() {
  echo "create-eventgrid-subscription: $*" >&2
  exit 1
}

missing=()
for name in "${required_vars[@]}"; do
  if [[ -z "${!name:-}" ]]; then
    missing+=("$name")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  fail "missing required variable(s): ${missing[*]}. Run it as the azd postdeploy hook (azd up / azd deploy), or load the azd environment first: eval \"\$(azd env get-values)\""
fi

for tool in az curl; do
  command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is required but not on PATH (see docs/deployment.md, Prerequisites)"
done

wake_timeout="${WAKE_TIMEOUT_SECONDS:-1200}"
subscription_name="${EVENTGRID_SUBSCRIPTION_NAME:-images-blob-created}"
app_uri="${SERVICE_LLAVA_URI%/}"

# `az containerapp function keys` lives in the containerapp extension (preview command group).
az extension add --name containerapp --upgrade --only-show-errors >/dev/null

# 1. Wake the app: the anonymous health endpoint answers once the Functions host is up (200, or 503 while the
#    model is still loading). A GPU cold start includes the image pull, so this can take minutes.
echo "Waiting up to ${wake_timeout}s for ${app_uri}/api/health ..."
deadline=$((SECONDS + wake_timeout))
while true; do
  status="$(curl --silent --output /dev/null --max-time 60 --write-out '%{http_code}' "${app_uri}/api/health" || true)"
  if [[ "$status" == "200" || "$status" == "503" ]]; then
    echo "The Functions host answered (HTTP $status)."
    break
  fi
  if ((SECONDS >= deadline)); then
    fail "the app did not answer within ${wake_timeout}s (last HTTP status: ${status:-none}); check 'az containerapp logs show -n $SERVICE_LLAVA_NAME -g $AZURE_RESOURCE_GROUP --type system'"
  fi
  sleep 15
done

# 2. The blobs_extension system key appears once the host has indexed the EventGrid-sourced blob trigger.
blobs_key=""
for attempt in $(seq 1 20); do
  blobs_key="$(az containerapp function keys show \
    --resource-group "$AZURE_RESOURCE_GROUP" --name "$SERVICE_LLAVA_NAME" \
    --key-type systemKey --key-name blobs_extension \
    --query value.value --output tsv 2>/dev/null || true)"
  if [[ -n "$blobs_key" ]]; then
    break
  fi
  echo "blobs_extension key not available yet (attempt $attempt/20); retrying in 15s ..."
  sleep 15
done
[[ -n "$blobs_key" ]] || fail "no blobs_extension system key on $SERVICE_LLAVA_NAME: is the deployed image the real app (not the placeholder), with $function_name using Source = BlobTriggerSource.EventGrid?"

# 3. Create or update the subscription. The key stays out of the output (-o none); Event Grid stores the
#    endpoint and shows only its base URL.
endpoint="${app_uri}/runtime/webhooks/blobs?functionName=Host.Functions.${function_name}&code=${blobs_key}"
az eventgrid system-topic event-subscription create \
  --name "$subscription_name" \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --system-topic-name "$EVENTGRID_SYSTEM_TOPIC_NAME" \
  --endpoint-type webhook \
  --endpoint "$endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/${LLAVA_IMAGES_CONTAINER}/" \
  --max-delivery-attempts 30 \
  --event-ttl 1440 \
  --output none

echo "Event Grid subscription '$subscription_name' delivers BlobCreated events of '$LLAVA_IMAGES_CONTAINER' to $function_name."
