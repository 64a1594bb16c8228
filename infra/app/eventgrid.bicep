// Event Grid system topic on the storage account: the source of the BlobCreated events that drive the
// CaptionOnUpload blob trigger (Source = EventGrid). The subscription to the function's webhook is created after
// deploy by scripts/create-eventgrid-subscription.sh, because the webhook needs the app's blobs_extension system
// key, which exists only once the Functions host runs.
// The topic has a system-assigned identity: Event Grid writes undeliverable events to the dead-letter container
// with it (shared keys are off on the account), holding Storage Blob Data Contributor on that container only.

@description('Name of the system topic.')
param name string

@description('Location of the system topic (the storage account\'s region).')
param location string

@description('Tags applied to the system topic.')
param tags object

@description('Name of the storage account whose events the topic publishes.')
param storageAccountName string

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output id string = systemTopic.id
output name string = systemTopic.name
output principalId string = systemTopic.identity.principalId
