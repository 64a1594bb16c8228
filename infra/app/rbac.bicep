// Every role assignment of the deployment, in one place. Names are guid(scope, principal, role) (the app's
// principal by its identity's resource id), so a re-run finds the same assignments. Each role is scoped to the
// one resource (or blob container) that needs it and justified below; nothing is granted at resource-group or
// subscription scope, and no principal gets a management-plane role on the storage account.

@description('Name of the storage account (AzureWebJobsStorage and the app\'s data).')
param storageAccountName string

@description('Name of the container registry.')
param registryName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Name of the app\'s user-assigned identity.')
param identityName string

@description('Name of the Event Grid system topic on the storage account (it dead-letters with its own identity).')
param systemTopicName string

@description('Blob container Event Grid dead-letters undeliverable events to.')
param deadLetterContainerName string

@description('Blob containers the deployer uploads to (models, test images).')
param deployerUploadContainerNames array

@description('Blob containers the deployer only reads (captions, answers, dead-lettered events).')
param deployerReadContainerNames array

@description('Object id of the person or pipeline running azd (AZURE_PRINCIPAL_ID); empty to grant nothing.')
param deployerPrincipalId string = ''

@description('Kind of principal deployerPrincipalId is.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string = 'User'

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-06-01' existing = {
  parent: storage
  name: 'default'
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' existing = {
  parent: blobService
  name: deadLetterContainerName
}

resource deployerUploadContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' existing = [
  for containerName in deployerUploadContainerNames: {
    parent: blobService
    name: containerName
  }
]

resource deployerReadContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' existing = [
  for containerName in deployerReadContainerNames: {
    parent: blobService
    name: containerName
  }
]

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' existing = {
  name: registryName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

// The identity's principal id is only known once it exists; the assignment names use its resource id, which is
// known when the deployment starts and identifies the same principal.
var appPrincipalId = appIdentity.properties.principalId

// --- The app's identity -------------------------------------------------------------------------------------

// Storage Blob Data Owner: the Functions host keeps its locks, keys and blob receipts in azure-webjobs-*
// containers it creates itself; the app reads images/models, writes captions/answers and records each caption's
// outcome as blob index tags on the image. The Functions docs require Owner (not Contributor) for an
// identity-based AzureWebJobsStorage with a blob trigger.
// No Storage Account Contributor: it is a management-plane role (it can list the account keys and turn shared-key
// access back on), and the Event Grid-sourced blob trigger needs none (official Event Grid blob trigger
// quickstart: Blob Data Owner + Queue Data Contributor); the Event Grid wiring is done by the deployer.
resource appBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Queue Data Contributor: the vqa-jobs queue trigger reads and deletes messages and moves failures to
// vqa-jobs-poison, SubmitJob enqueues jobs, and the blob trigger uses host-internal queues.
resource appQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.storageQueueDataContributor
    )
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Table Data Contributor: the Functions host writes its diagnostic events to
// AzureFunctionsDiagnosticEvents<yyyymm> tables in AzureWebJobsStorage; without it the host logs errors.
resource appTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.storageTableDataContributor
    )
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// AcrPull: the container app pulls its image with this identity (the registry's admin user is off).
resource appAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, appIdentity.id, roles.acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Metrics Publisher: Application Insights has local auth disabled, so telemetry must carry an Entra
// token of an identity holding this role on the component.
resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appIdentity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.monitoringMetricsPublisher
    )
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// --- Event Grid ---------------------------------------------------------------------------------------------

// Storage Blob Data Contributor on the dead-letter container only, for the system topic's own identity: shared
// keys are off, so Event Grid writes undeliverable events with its identity (deadLetterWithResourceIdentity).
resource topicDeadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetterContainer.id, systemTopic.id, roles.storageBlobDataContributor)
  scope: deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.storageBlobDataContributor
    )
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// --- The deployer (optional) ---------------------------------------------------------------------------------

// Shared keys are off, so the deployer needs data-plane roles, and only on the containers it works with: Storage
// Blob Data Contributor where it uploads (models: scripts/upload-model.sh; images: trying the caption flow), Storage
// Blob Data Reader where it reads results. Nothing on the account: azure-webjobs-secrets (the host's function keys)
// and azure-webjobs-hosts stay out of reach.
resource deployerUploads 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in deployerUploadContainerNames: if (!empty(deployerPrincipalId)) {
    name: guid(deployerUploadContainers[i].id, deployerPrincipalId, roles.storageBlobDataContributor)
    scope: deployerUploadContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId(
        'Microsoft.Authorization/roleDefinitions',
        roles.storageBlobDataContributor
      )
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
    }
  }
]

resource deployerReads 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in deployerReadContainerNames: if (!empty(deployerPrincipalId)) {
    name: guid(deployerReadContainers[i].id, deployerPrincipalId, roles.storageBlobDataReader)
    scope: deployerReadContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
    }
  }
]
