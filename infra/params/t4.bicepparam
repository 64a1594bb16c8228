// Parameters for a deployment without azd (`az deployment sub create --location westus3 --template-file
// infra/main.bicep --parameters infra/params/t4.bicepparam`) on the T4 serverless GPU profile. The tests in
// tests/Llava.Infra.Tests compile main.bicep with this file and with a100.bicepparam.
using '../main.bicep'

param environmentName = 'llava-t4'
param location = 'westus3'
param gpuProfileType = 'Consumption-GPU-NC8as-T4'
param minReplicas = 0
param maxReplicas = 1
param modelPrefix = 'llava-v1.6-mistral-7b-int4'
// Only these addresses reach the app (an example range: put yours); everything else is refused by the ingress.
param allowedIpRanges = '203.0.113.0/24, 198.51.100.7/32'
// The bearer key of /v1/*: exported by you, never written here (`export LLAVA_API_KEY=$(openssl rand -hex 32)`);
// unset, the deployment stops on the key's minimum length.
param apiKey = readEnvironmentVariable('LLAVA_API_KEY', '')
