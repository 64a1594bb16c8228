// The user-assigned managed identity the Functions app runs as. User-assigned (not system-assigned) so that
// its principal exists before the app: role assignments, the registry pull and the identity-based
// AzureWebJobsStorage settings can all be wired in one deployment.

@description('Name of the identity.')
param name string

@description('Location of the identity.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
