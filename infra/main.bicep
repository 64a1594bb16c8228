// LlavaFunctions on Azure: the Functions app on a serverless GPU in Azure Container Apps, with its storage,
// registry, monitoring and identity. Deployed by `azd up` (see azure.yaml and docs/deployment.md).
// One secret only, the API key of the OpenAI-compatible routes (a Container Apps secret). Everything else is
// keyless: storage has shared keys off, the registry has no admin user, Application Insights and Log Analytics
// take Entra-authenticated data only, and the app reaches all of them with its user-assigned identity.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds every generated resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource. It must offer the chosen serverless GPU profile (see docs/deployment.md).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the user or pipeline running the deployment (azd sets AZURE_PRINCIPAL_ID); it gets Storage Blob Data Contributor to upload models and images. Empty: no role.')
param principalId string = ''

@description('Kind of principal principalId is.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Serverless GPU workload profile: T4 (16 GB; int4 7B/13B models) or A100 (80 GB; every model).')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Minimum replicas of the app. 0 scales to zero: no GPU billed while idle, a cold start on the next event.')
@minValue(0)
@maxValue(10)
param minReplicas int = 0

@description('Maximum replicas; each holds one GPU and counts against the GPU quota.')
@minValue(1)
@maxValue(10)
param maxReplicas int = 1

@description('Image of the app. Empty on the first provision (a public placeholder runs until `azd deploy` pushes the real one); azd passes SERVICE_LLAVA_IMAGE_NAME afterwards.')
param containerImage string = ''

@description('Blob folder of the converted model inside the models container (see scripts/upload-model.sh).')
param modelPrefix string = 'llava-v1.6-mistral-7b-int4'

@description('Seconds the app allows for downloading and loading the model before it reports itself failed.')
@minValue(60)
param readinessTimeoutSeconds int = 1800

@description('Generators run at once per replica (1 on a GPU: GenAI runs every session on one CUDA stream, so a second generator only takes turns; batch instead).')
@minValue(1)
param maxConcurrentGenerations int = 1

@description('Requests one generator answers together (static batching; docs/performance.md "Batching": 8 on a T4, 16 on an A100 80 GB with a 48 GiB memory budget). Must equal host.json queues.batchSize and blobs.maxDegreeOfParallelism.')
@minValue(1)
@maxValue(64)
param maxBatchSize int = 8

@description('Memory in MiB that all requests of a replica together may use besides the weights (docs/performance.md "Limits and memory budget"): 6144 on a T4, 49152 on an A100 80 GB.')
@minValue(64)
param memoryBudgetMib int = 6144

@description('Requests that may wait for a generation slot per replica.')
@minValue(0)
param maxQueuedRequests int = 8

@description('Who may reach the app over HTTP: comma-separated CIDR ranges (for example your office\'s 203.0.113.0/24), or * for the whole internet. Other addresses are refused by the ingress before a replica, and its GPU, is woken. No default: choose (see docs/deployment.md, "Who can wake the GPU"). Captions on upload need *: Event Grid delivers from addresses outside any list you can write.')
@minLength(1)
param allowedIpRanges string

@description('Seconds without HTTP requests or queued jobs before the last replica (and its GPU) is released.')
@minValue(60)
@maxValue(3600)
param cooldownSeconds int = 300

@description('API key of the OpenAI-compatible routes (/v1/*), sent by clients as `Authorization: Bearer <key>`. azd generates one and keeps it in the azd environment; read it back with `az containerapp secret show` (docs/deployment.md).')
// At least 32 characters: the app module refuses a shorter key (the parameter files read it from the environment).
@secure()
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 48
      noSpecial: true
    }
  }
})
param apiKey string

@description('Registry SKU (Premium enables artifact streaming for faster GPU cold starts).')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param containerRegistrySku string = 'Basic'

// Name overrides: leave empty to use the generated names.
@description('Resource group name override.')
param resourceGroupName string = ''
@description('Log Analytics workspace name override.')
param logAnalyticsName string = ''
@description('Application Insights name override.')
param applicationInsightsName string = ''
@description('User-assigned identity name override.')
param identityName string = ''
@description('Storage account name override.')
param storageAccountName string = ''
@description('Container registry name override.')
param containerRegistryName string = ''
@description('Container Apps environment name override.')
param containerAppsEnvironmentName string = ''
@description('Container app name override.')
param containerAppName string = ''
@description('Event Grid system topic name override.')
param systemTopicName string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// Every name is known when the deployment starts (module outputs are not), so What-If and role assignment
// names stay exact.
var names = {
  resourceGroup: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  logAnalytics: !empty(logAnalyticsName) ? logAnalyticsName : '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
  applicationInsights: !empty(applicationInsightsName)
    ? applicationInsightsName
    : '${abbrs.insightsComponents}${resourceToken}'
  identity: !empty(identityName) ? identityName : '${abbrs.managedIdentityUserAssignedIdentities}llava-${resourceToken}'
  storage: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
  registry: !empty(containerRegistryName)
    ? containerRegistryName
    : '${abbrs.containerRegistryRegistries}${resourceToken}'
  environment: !empty(containerAppsEnvironmentName)
    ? containerAppsEnvironmentName
    : '${abbrs.appManagedEnvironments}${resourceToken}'
  app: !empty(containerAppName) ? containerAppName : '${abbrs.appContainerApps}llava-${resourceToken}'
  systemTopic: !empty(systemTopicName) ? systemTopicName : '${abbrs.eventGridSystemTopics}${resourceToken}'
}

// The app's storage contract (the names its settings point at; the Functions host adds azure-webjobs-hosts and
// azure-webjobs-secrets itself).
var imagesContainerName = 'images'
var captionsContainerName = 'captions'
var answersContainerName = 'answers'
var modelsContainerName = 'models'
var jobsQueueName = 'vqa-jobs'
// Events Event Grid could not deliver to CaptionOnUpload (after its retries) land here as blobs.
var deadLetterContainerName = 'eventgrid-deadletter'

// functionTimeout of src/LlavaFunctions/host.json (00:10:00): a replica being scaled in may finish what it runs.
var functionTimeoutSeconds = 600

// One replica takes the whole serverless GPU profile: T4 is 8 vCPU / 56 GiB, A100 24 vCPU / 220 GiB.
var gpuWorkloadProfileName = 'gpu'
var gpuProfileSizes = {
  'Consumption-GPU-NC8as-T4': {
    cpu: '8.0'
    memory: '56Gi'
  }
  'Consumption-GPU-NC24-A100': {
    cpu: '24.0'
    memory: '220Gi'
  }
}

// Runs until the first `azd deploy` replaces it; it needs no GPU, no storage and no model.
var placeholderImage = 'mcr.microsoft.com/azure-functions/dotnet8-quickstart-demo:1.0'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module storage 'core/storage/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    containerNames: [
      imagesContainerName
      captionsContainerName
      answersContainerName
      modelsContainerName
      deadLetterContainerName
    ]
    queueNames: [
      jobsQueueName
      '${jobsQueueName}-poison'
    ]
  }
}

module eventGrid 'app/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    name: names.systemTopic
    location: location
    tags: tags
    storageAccountName: names.storage
  }
  dependsOn: [
    storage
  ]
}

module registry 'core/registry/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    name: names.registry
    location: location
    tags: tags
    skuName: containerRegistrySku
  }
}

module containerAppsEnvironment 'core/host/container-apps-environment.bicep' = {
  name: 'container-apps-environment'
  scope: rg
  params: {
    name: names.environment
    location: location
    tags: tags
    gpuWorkloadProfileName: gpuWorkloadProfileName
    gpuProfileType: gpuProfileType
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: names.storage
    registryName: names.registry
    applicationInsightsName: names.applicationInsights
    identityName: names.identity
    systemTopicName: names.systemTopic
    deadLetterContainerName: deadLetterContainerName
    deployerUploadContainerNames: [
      modelsContainerName
      imagesContainerName
    ]
    deployerReadContainerNames: [
      captionsContainerName
      answersContainerName
      deadLetterContainerName
    ]
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
  dependsOn: [
    storage
    registry
    monitoring
    identity
    eventGrid
  ]
}

module llava 'app/llava.bicep' = {
  name: 'llava'
  scope: rg
  params: {
    name: names.app
    location: location
    tags: union(tags, {
      'azd-service-name': 'llava'
    })
    environmentId: containerAppsEnvironment.outputs.id
    workloadProfileName: containerAppsEnvironment.outputs.gpuWorkloadProfileName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    registryLoginServer: registry.outputs.loginServer
    image: !empty(containerImage) ? containerImage : placeholderImage
    cpu: gpuProfileSizes[gpuProfileType].cpu
    memory: gpuProfileSizes[gpuProfileType].memory
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    storageAccountName: storage.outputs.name
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    imagesContainerName: imagesContainerName
    captionsContainerName: captionsContainerName
    answersContainerName: answersContainerName
    modelsContainerName: modelsContainerName
    jobsQueueName: jobsQueueName
    modelPrefix: modelPrefix
    readinessTimeoutSeconds: readinessTimeoutSeconds
    maxConcurrentGenerations: maxConcurrentGenerations
    maxBatchSize: maxBatchSize
    memoryBudgetMib: memoryBudgetMib
    maxQueuedRequests: maxQueuedRequests
    allowedIpRanges: allowedIpRanges
    cooldownSeconds: cooldownSeconds
    functionTimeoutSeconds: functionTimeoutSeconds
    apiKey: apiKey
  }
  // The image pull and the identity-based storage connection need the roles before the first revision starts.
  dependsOn: [
    rbac
  ]
}

// Read by azd (registry, environment, service endpoint) and by the hook scripts.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_ENVIRONMENT_NAME string = containerAppsEnvironment.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.logAnalyticsWorkspaceName
output EVENTGRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.name
output EVENTGRID_DEADLETTER_CONTAINER string = deadLetterContainerName
output AZURE_STORAGE_ACCOUNT_ID string = storage.outputs.id
// '*' when the ingress is public; the hook creates the Event Grid subscription only then.
output LLAVA_ALLOWED_IP_RANGES string = allowedIpRanges
output LLAVA_COOLDOWN_SECONDS int = cooldownSeconds
output GPU_PROFILE_TYPE string = gpuProfileType
output SERVICE_LLAVA_NAME string = llava.outputs.name
output SERVICE_LLAVA_URI string = llava.outputs.uri
output LLAVA_IMAGES_CONTAINER string = imagesContainerName
output LLAVA_CAPTIONS_CONTAINER string = captionsContainerName
output LLAVA_ANSWERS_CONTAINER string = answersContainerName
output LLAVA_MODEL_CONTAINER string = modelsContainerName
output LLAVA_MODEL_PREFIX string = modelPrefix
output LLAVA_JOBS_QUEUE string = jobsQueueName
