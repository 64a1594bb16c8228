// Log Analytics workspace and a workspace-based Application Insights component.
// Local (shared-key) authentication is disabled on the workspace, and local (instrumentation-key)
// authentication is disabled on Application Insights: telemetry is accepted only
// with an Entra token, which the app gets from its user-assigned identity (Monitoring Metrics Publisher, see
// ../../app/rbac.bicep, and APPLICATIONINSIGHTS_AUTHENTICATION_STRING in ../../app/llava.bicep).

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Location of both resources.')
param location string

@description('Tags applied to both resources.')
param tags object

@description('Days the workspace keeps logs.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    retentionInDays: retentionInDays
    sku: {
      name: 'PerGB2018'
    }
    // Queries and ingestion with Entra ID only: the workspace's shared keys are refused. The Container Apps
    // environment sends its logs through a diagnostic setting, which needs no key.
    features: {
      disableLocalAuth: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

output logAnalyticsWorkspaceId string = logAnalytics.id
output logAnalyticsWorkspaceName string = logAnalytics.name
output applicationInsightsName string = applicationInsights.name
// A connection string holds the ingestion endpoint and the instrumentation key, which is an identifier, not a
// credential: with DisableLocalAuth only Entra-authenticated telemetry is accepted.
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
