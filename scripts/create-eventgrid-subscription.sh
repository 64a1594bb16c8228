#!/usr/bin/env bash
# azd postdeploy hook: checks the deployed app's scale rules, then subscribes the CaptionOnUpload blob trigger
# (Source = EventGrid) to BlobCreated events of the images container.
#
# Why after deploy: the webhook URL carries the Functions host's `blobs_extension` system key, which exists only
# once the real app image runs. Reading the key needs a running replica, i.e. a GPU, so the script first looks at
# the existing subscription and wakes the app only when the subscription is missing or differs from what it
# would create (EVENTGRID_FORCE=1 re-creates it anyway). Safe to re-run.
#
# Needs (azd passes its environment to hooks; by hand: eval "$(azd env get-values)"):
#   AZURE_RESOURCE_GROUP, SERVICE_LLAVA_NAME, SERVICE_LLAVA_URI, EVENTGRID_SYSTEM_TOPIC_NAME, LLAVA_IMAGES_CONTAINER,
#   EVENTGRID_DEADLETTER_CONTAINER, AZURE_STORAGE_ACCOUNT_ID, LLAVA_ALLOWED_IP_RANGES
# Optional: WAKE_TIMEOUT_SECONDS (default 1200: the whole wait for the host and its key), WAKE_POLL_SECONDS
#   (default 15), EVENTGRID_SUBSCRIPTION_NAME (default images-blob-created), EVENTGRID_FORCE (1: re-create).
# Tools: az (with the containerapp extension, installed on demand), curl.
set -euo pipefail

readonly function_name="CaptionOnUpload"
readonly required_vars=(AZURE_RESOURCE_GROUP SERVICE_LLAVA_NAME SERVICE_LLAVA_URI EVENTGRID_SYSTEM_TOPIC_NAME LLAVA_IMAGES_CONTAINER EVENTGRID_DEADLETTER_CONTAINER AZURE_STORAGE_ACCOUNT_ID LLAVA_ALLOWED_IP_RANGES)
# The scale rules infra/app/llava.bicep declares; an image-only update that dropped them leaves jobs unserved.
readonly expected_scale_rules=(http vqa-jobs)
readonly eventgrid_api_version="2025-02-15"
readonly max_delivery_attempts=30
readonly event_ttl_minutes=1440

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
poll_seconds="${WAKE_POLL_SECONDS:-15}"
[[ "$wake_timeout" =~ ^[0-9]+$ && "$poll_seconds" =~ ^[0-9]+$ ]] || fail "WAKE_TIMEOUT_SECONDS and WAKE_POLL_SECONDS must be whole seconds"
subscription_name="${EVENTGRID_SUBSCRIPTION_NAME:-images-blob-created}"
app_uri="${SERVICE_LLAVA_URI%/}"
webhook_base="${app_uri}/runtime/webhooks/blobs"
subject_prefix="/blobServices/default/containers/${LLAVA_IMAGES_CONTAINER}/"
subscription_url="https://management.azure.com${AZURE_STORAGE_ACCOUNT_ID%%/providers/*}/providers/Microsoft.EventGrid/systemTopics/${EVENTGRID_SYSTEM_TOPIC_NAME}/eventSubscriptions/${subscription_name}?api-version=${eventgrid_api_version}"

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
chmod 700 "$work_dir"
az_errors="$work_dir/az-errors"

# Runs az, keeping its error output for the message of a later failure instead of throwing it away.
run_az() {
  az "$@" 2>"$az_errors"
}

last_az_error() {
  if [[ -s "$az_errors" ]]; then
    printf 'az said: %s' "$(tail -n 5 "$az_errors")"
  else
    printf 'az printed no error'
  fi
}

# 1. The scale rules (no GPU needed): `azd deploy` swaps only the image, and image-only updates of functionapp
#    container apps have been seen to drop scale rules. Without the queue rule, queued jobs never wake the app.
rules="$(run_az containerapp show --resource-group "$AZURE_RESOURCE_GROUP" --name "$SERVICE_LLAVA_NAME" \
  --query "properties.template.scale.rules[].name" --output tsv)" \
  || fail "cannot read the container app $SERVICE_LLAVA_NAME. $(last_az_error)"
for rule in "${expected_scale_rules[@]}"; do
  grep -qx "$rule" <<<"$rules" \
    || fail "the app has no '$rule' scale rule (it has: ${rules//$'\n'/ }); the image update dropped it. Restore the declared rules with 'azd provision' (see docs/deployment.md, \"Scale rules\")."
done
echo "Scale rules present: ${expected_scale_rules[*]}."

# 2. Event Grid can only reach the webhook through a public ingress.
if [[ "${LLAVA_ALLOWED_IP_RANGES// /}" != "*" ]]; then
  echo "Ingress is restricted to '$LLAVA_ALLOWED_IP_RANGES': Event Grid cannot deliver to $function_name, so no subscription is made."
  echo "Captions on upload need LLAVA_ALLOWED_IP_RANGES='*' (docs/deployment.md, \"Who can wake the GPU\"); queued jobs and HTTP calls from the allowed ranges work."
  echo "A subscription left from an earlier public deploy would only dead-letter now; remove it with: az eventgrid system-topic event-subscription delete -g $AZURE_RESOURCE_GROUP --system-topic-name $EVENTGRID_SYSTEM_TOPIC_NAME -n $subscription_name"
  exit 0
fi

# 3. Nothing to do when the subscription already points at this app with this filter and dead-letter container:
#    no GPU is woken for a deploy that changes nothing here.
if [[ "${EVENTGRID_FORCE:-0}" != "1" ]]; then
  current="$(run_az rest --method get --url "$subscription_url" \
    --query "[properties.destination.properties.endpointBaseUrl, properties.filter.subjectBeginsWith, properties.deadLetterWithResourceIdentity.deadLetterDestination.properties.blobContainerName, to_string(properties.retryPolicy.maxDeliveryAttempts)]" \
    --output tsv)" || current=""
  expected="$(printf '%s\t%s\t%s\t%s' "$webhook_base" "$subject_prefix" "$EVENTGRID_DEADLETTER_CONTAINER" "$max_delivery_attempts")"
  if [[ "${current//$'\n'/$'\t'}" == "$expected" ]]; then
    echo "Event Grid subscription '$subscription_name' is up to date; the app was not woken (EVENTGRID_FORCE=1 re-creates it)."
    exit 0
  fi
fi

# 4. Wake the app and wait for the Functions host. Only the app's own health document counts: Container Apps
#    itself answers 503 while no replica is ready, so a bare 503 says nothing about the host.
echo "Waiting up to ${wake_timeout}s for ${app_uri}/api/health (a GPU cold start includes the image pull) ..."
deadline=$((SECONDS + wake_timeout))
body="$work_dir/health.json"
while true; do
  status="$(curl --silent --output "$body" --max-time 60 --write-out '%{http_code}' "${app_uri}/api/health" || true)"
  if [[ "$status" == "200" || "$status" == "503" ]] && grep -Eq '"status" *: *"(ready|loading|failed)"' "$body"; then
    health="$(grep -Eo '"status" *: *"[a-z]+"' "$body" | head -n 1 | grep -Eo '[a-z]+"$' | tr -d '"')"
    echo "The Functions host answered (HTTP $status, model $health)."
    if [[ "$health" == "failed" ]]; then
      echo "The model host reports failed: $(cat "$body")" >&2
      echo "The webhook does not need the model; continuing. Fix the cause (docs/deployment.md, \"CUDA and the driver\")." >&2
    fi
    break
  fi
  if ((SECONDS >= deadline)); then
    fail "the Functions host did not answer within ${wake_timeout}s (last HTTP status: ${status:-none}); check 'az containerapp logs show -n $SERVICE_LLAVA_NAME -g $AZURE_RESOURCE_GROUP --type system'"
  fi
  sleep "$poll_seconds"
done

# 5. The blobs_extension system key appears once the host has indexed the EventGrid-sourced blob trigger; the
#    same deadline applies. `az containerapp function keys` lives in the containerapp extension.
run_az extension add --name containerapp --upgrade --only-show-errors >/dev/null \
  || fail "installing the Azure CLI containerapp extension failed. $(last_az_error)"
blobs_key=""
while true; do
  blobs_key="$(run_az containerapp function keys show \
    --resource-group "$AZURE_RESOURCE_GROUP" --name "$SERVICE_LLAVA_NAME" \
    --key-type systemKey --key-name blobs_extension \
    --query value.value --output tsv || true)"
  if [[ -n "$blobs_key" ]]; then
    break
  fi
  if ((SECONDS >= deadline)); then
    fail "no blobs_extension system key on $SERVICE_LLAVA_NAME within ${wake_timeout}s: is the deployed image the real app (not the placeholder), with $function_name using Source = BlobTriggerSource.EventGrid? $(last_az_error)"
  fi
  echo "blobs_extension key not available yet; retrying in ${poll_seconds}s ..."
  sleep "$poll_seconds"
done

# 6. Create or update the subscription through the ARM API: retries for a day (a GPU cold start outlasts Event
#    Grid's 30 s delivery timeout), then dead-letters to a blob container with the system topic's own identity
#    (shared keys are off). The key stays out of the output: the body is a private temporary file and Event Grid
#    shows only the endpoint's base URL afterwards.
request="$work_dir/subscription.json"
cat >"$request" <<JSON
{
  "properties": {
    "destination": {
      "endpointType": "WebHook",
      "properties": {
        "endpointUrl": "${webhook_base}?functionName=Host.Functions.${function_name}&code=${blobs_key}",
        "maxEventsPerBatch": 1
      }
    },
    "filter": {
      "includedEventTypes": ["Microsoft.Storage.BlobCreated"],
      "subjectBeginsWith": "${subject_prefix}"
    },
    "eventDeliverySchema": "EventGridSchema",
    "retryPolicy": {
      "maxDeliveryAttempts": ${max_delivery_attempts},
      "eventTimeToLiveInMinutes": ${event_ttl_minutes}
    },
    "deadLetterWithResourceIdentity": {
      "identity": { "type": "SystemAssigned" },
      "deadLetterDestination": {
        "endpointType": "StorageBlob",
        "properties": {
          "resourceId": "${AZURE_STORAGE_ACCOUNT_ID}",
          "blobContainerName": "${EVENTGRID_DEADLETTER_CONTAINER}"
        }
      }
    }
  }
}
JSON
run_az rest --method put --url "$subscription_url" --body "@$request" --output none \
  || fail "creating the Event Grid subscription '$subscription_name' failed. $(last_az_error)"

echo "Event Grid subscription '$subscription_name' delivers BlobCreated events of '$LLAVA_IMAGES_CONTAINER' to $function_name; undeliverable events go to '$EVENTGRID_DEADLETTER_CONTAINER'."
