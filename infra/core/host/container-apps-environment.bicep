// Container Apps environment with workload profiles: the default Consumption profile plus one serverless GPU
// profile (T4 or A100). Serverless GPU profiles exist only in workload-profiles environments, and a GPU profile
// can only be added when the environment is created.
// Logs go to Azure Monitor and from there to Log Analytics through a diagnostic setting, so no workspace
// shared key is ever passed around (the 'log-analytics' destination would need one).

@description('Name of the environment.')
param name string

@description('Location of the environment.')
param location string

@description('Tags applied to the environment.')
param tags object

@description('Name given to the GPU workload profile inside the environment; the app pins itself to it.')
param gpuWorkloadProfileName string

@description('Serverless GPU workload profile type.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string

@description('Resource id of the Log Analytics workspace that receives the environment\'s logs.')
param logAnalyticsWorkspaceId string

resource environment 'Microsoft.App/managedEnvironments@2026-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: gpuWorkloadProfileName
        workloadProfileType: gpuProfileType
      }
    ]
    zoneRedundant: false
  }
}

// 2021-05-01-preview is the newest diagnosticSettings API there is, and the first with categoryGroup and
// logAnalyticsDestinationType; the only version the linter offers instead (2016-09-01) has neither.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output id string = environment.id
output name string = environment.name
output defaultDomain string = environment.properties.defaultDomain
output gpuWorkloadProfileName string = gpuWorkloadProfileName
