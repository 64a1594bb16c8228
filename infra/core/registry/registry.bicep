// Container registry for the app image. The admin user is off: azd pushes with the deploying user's Entra
// token and the app pulls with its managed identity (AcrPull, see ../../app/rbac.bicep).

@description('Name of the registry (5-50 letters and digits).')
@minLength(5)
@maxLength(50)
param name string

@description('Location of the registry.')
param location string

@description('Tags applied to the registry.')
param tags object

@description('Registry SKU. Premium adds artifact streaming, which shortens GPU cold starts for multi-GB images.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param skuName string = 'Basic'

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

output id string = registry.id
output name string = registry.name
output loginServer string = registry.properties.loginServer
