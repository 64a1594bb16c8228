// The Functions app as a native Functions container app (kind 'functionapp') on a serverless GPU workload
// profile. The Functions host generates its KEDA scale rules from the triggers; only the replica bounds are
// set here.

@description('Name of the container app.')
param name string

@description('Location of the container app.')
param location string

@description('Tags applied to the container app (azd finds the app through azd-service-name).')
param tags object

@description('Resource id of the Container Apps environment.')
param environmentId string

@description('Name of the environment\'s GPU workload profile the app is pinned to.')
param workloadProfileName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (for AzureWebJobsStorage__clientId, DefaultAzureCredential and App Insights).')
param identityClientId string

@description('Login server of the registry the app pulls its image from with its identity.')
param registryLoginServer string

@description('Image to run. azd replaces it with the built image on deploy.')
param image string

@description('vCPUs per replica, as a decimal string (the whole GPU profile: 8 for T4, 24 for A100).')
param cpu string

@description('Memory per replica, e.g. 56Gi.')
param memory string

@description('Minimum replicas; 0 lets the app scale to zero (no GPU billed while idle).')
@minValue(0)
param minReplicas int

@description('Maximum replicas; each one holds one GPU.')
@minValue(1)
param maxReplicas int

@description('Name of the storage account used as AzureWebJobsStorage and for the app\'s data.')
param storageAccountName string

@description('Application Insights connection string (no secret: it holds the ingestion endpoint and the component id).')
param applicationInsightsConnectionString string

@description('Blob container for images to caption.')
param imagesContainerName string

@description('Blob container for caption documents.')
param captionsContainerName string

@description('Blob container for VQA results.')
param answersContainerName string

@description('Blob container holding converted model folders.')
param modelsContainerName string

@description('Queue of VQA jobs.')
param jobsQueueName string

@description('Blob folder (prefix) of the converted model inside the models container.')
param modelPrefix string

@description('Seconds the app waits for the model to be downloaded and loaded before reporting itself failed.')
@minValue(60)
param readinessTimeoutSeconds int

@description('Generations run at once per replica (one GPU).')
@minValue(1)
param maxConcurrentGenerations int

@description('Requests allowed to wait for a generation slot before the app answers 429/503.')
@minValue(0)
param maxQueuedRequests int

// Port the Functions host listens on inside the image (see Dockerfile: non-root, so not 80).
var targetPort = 8080

// Replica-scoped scratch volume (EmptyDir) for the downloaded model: it survives container restarts within a
// replica, so a crash does not trigger a second multi-GB download. Its size counts against the replica's
// ephemeral storage (see docs/deployment.md).
var modelVolumeName = 'models'
var modelVolumeMountPath = '/home/llava/models'
// Local folder the app downloads the model folder into at start-up (LLAVA_MODEL_PATH).
var modelPath = '${modelVolumeMountPath}/current'

resource app 'Microsoft.App/containerApps@2026-07-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: targetPort
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryLoginServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          // The first (and only) container gets the GPU.
          name: 'llava'
          image: image
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          env: [
            // Functions host: identity-based connection to its storage account (no connection string, no key).
            {
              name: 'AzureWebJobsStorage__accountName'
              value: storageAccountName
            }
            {
              name: 'AzureWebJobsStorage__credential'
              value: 'managedidentity'
            }
            {
              name: 'AzureWebJobsStorage__clientId'
              value: identityClientId
            }
            {
              name: 'FUNCTIONS_WORKER_RUNTIME'
              value: 'dotnet-isolated'
            }
            // The port the ingress targets, for whichever image runs (the app image defaults to it too; the
            // placeholder image of the first provision would otherwise listen on 80).
            {
              name: 'ASPNETCORE_URLS'
              value: 'http://+:${targetPort}'
            }
            {
              name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
              value: applicationInsightsConnectionString
            }
            // Application Insights has local auth disabled: the host sends telemetry with an Entra token of
            // the user-assigned identity.
            {
              name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
              value: 'Authorization=AAD;ClientId=${identityClientId}'
            }
            // DefaultAzureCredential in the worker picks the user-assigned identity.
            {
              name: 'AZURE_CLIENT_ID'
              value: identityClientId
            }
            {
              name: 'LLAVA_MODEL_PATH'
              value: modelPath
            }
            {
              name: 'LLAVA_MODEL_CONTAINER'
              value: modelsContainerName
            }
            {
              name: 'LLAVA_MODEL_PREFIX'
              value: modelPrefix
            }
            {
              name: 'LLAVA_EXECUTION_PROVIDER'
              value: 'cuda'
            }
            {
              name: 'LLAVA_MAX_CONCURRENT_GENERATIONS'
              value: string(maxConcurrentGenerations)
            }
            {
              name: 'LLAVA_MAX_QUEUED_REQUESTS'
              value: string(maxQueuedRequests)
            }
            {
              name: 'LLAVA_READINESS_TIMEOUT_SECONDS'
              value: string(readinessTimeoutSeconds)
            }
            {
              name: 'LLAVA_IMAGES_CONTAINER'
              value: imagesContainerName
            }
            {
              name: 'LLAVA_CAPTIONS_CONTAINER'
              value: captionsContainerName
            }
            {
              name: 'LLAVA_ANSWERS_CONTAINER'
              value: answersContainerName
            }
            {
              name: 'LLAVA_JOBS_QUEUE'
              value: jobsQueueName
            }
          ]
          volumeMounts: [
            {
              volumeName: modelVolumeName
              mountPath: modelVolumeMountPath
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
      }
      volumes: [
        {
          name: modelVolumeName
          storageType: 'EmptyDir'
        }
      ]
    }
  }
}

output id string = app.id
output name string = app.name
output fqdn string = app.properties.configuration.ingress.fqdn
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
