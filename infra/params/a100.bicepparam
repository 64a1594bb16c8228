// Parameters for a deployment without azd on the A100 serverless GPU profile (every model size fits its 80 GB;
// see docs/deployment.md for the model delivery limit). Used by tests/Llava.Infra.Tests as well.
using '../main.bicep'

param environmentName = 'llava-a100'
param location = 'westus3'
param gpuProfileType = 'Consumption-GPU-NC24-A100'
param minReplicas = 0
param maxReplicas = 2
param modelPrefix = 'llava-v1.6-mistral-7b-int4'
// Public ingress: Event Grid can deliver BlobCreated events to CaptionOnUpload (any request can wake a GPU).
param allowedIpRanges = '*'
param cooldownSeconds = 600
// Batches of 16 with a 48 GiB request budget (docs/performance.md "Batching": +20% answers per minute over 8).
param maxBatchSize = 16
param memoryBudgetMib = 49152
// The bearer key of /v1/*: exported by you, never written here (`export LLAVA_API_KEY=$(openssl rand -hex 32)`);
// unset, the deployment stops on the key's minimum length.
param apiKey = readEnvironmentVariable('LLAVA_API_KEY', '')
