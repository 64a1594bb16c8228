using System.Text.Json.Nodes;

namespace Llava.Infra.Tests;

/// <summary>
/// The postdeploy hook run against stand-ins for <c>az</c> and <c>curl</c> (small scripts first on PATH that log
/// their arguments and answer what the test tells them), so its decisions can be checked without Azure: when it
/// wakes the app, what counts as the host being up, what it sends to Event Grid, and what it says when az fails.
/// </summary>
public sealed class EventGridHookTests : IDisposable
{
    private const string AccountId = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/stx";
    private const string AppUri = "https://ca-x.example.net";
    private const string HealthLoading = """{"status":"loading","stage":"download 40%","error":null,"model":null,"inFlight":0,"uptimeSeconds":3.5}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("llava-hook-tests-").FullName;

    public EventGridHookTests()
    {
        Directory.CreateDirectory(Bin);
        WriteTool("az", """
            #!/usr/bin/env bash
            echo "az $*" >> "$FAKE_LOG"
            case "$*" in
              "containerapp show"*) printf '%b\n' "${FAKE_RULES-http\nvqa-jobs}" ;;
              "rest --method get"*)
                if [[ -n "${FAKE_SUBSCRIPTION:-}" ]]; then printf '%b\n' "$FAKE_SUBSCRIPTION"; else echo "ERROR: (ResourceNotFound) not found" >&2; exit 3; fi ;;
              "rest --method put"*)
                args=("$@")
                for i in "${!args[@]}"; do
                  if [[ "${args[$i]}" == "--body" ]]; then cp "${args[$((i + 1))]#@}" "$FAKE_PUT_BODY"; fi
                done ;;
              "extension add"*) ;;
              "containerapp function keys show"*)
                if [[ -n "${FAKE_KEY:-}" ]]; then echo "$FAKE_KEY"; else echo "ERROR: ${FAKE_KEY_ERROR:-no key}" >&2; exit 1; fi ;;
              *) echo "unexpected az call: $*" >&2; exit 99 ;;
            esac
            """);
        WriteTool("curl", """
            #!/usr/bin/env bash
            echo "curl $*" >> "$FAKE_LOG"
            out=""
            while [[ $# -gt 0 ]]; do
              if [[ "$1" == "--output" ]]; then out="$2"; shift; fi
              shift
            done
            printf '%s' "${FAKE_HEALTH_BODY:-}" > "$out"
            printf '%s' "${FAKE_HEALTH_STATUS:-000}"
            """);
    }

    private string Bin => Path.Combine(_folder, "bin");

    private string Log => Path.Combine(_folder, "calls.log");

    private string PutBody => Path.Combine(_folder, "put.json");

    private string Calls => File.Exists(Log) ? File.ReadAllText(Log) : string.Empty;

    [Fact]
    public void Hook_fails_without_waking_the_app_when_the_queue_scale_rule_is_gone()
    {
        ProcessResult result = RunHook(new() { ["FAKE_RULES"] = "http" });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no 'vqa-jobs' scale rule", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("azd provision", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", Calls, StringComparison.Ordinal);
    }

    [Fact]
    public void Hook_does_not_wake_the_app_when_the_subscription_is_already_what_it_would_create()
    {
        string current = $"{AppUri}/runtime/webhooks/blobs\\t/blobServices/default/containers/images/\\teventgrid-deadletter\\t30";

        ProcessResult result = RunHook(new() { ["FAKE_SUBSCRIPTION"] = current });

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("up to date", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", Calls, StringComparison.Ordinal);
        Assert.DoesNotContain("--method put", Calls, StringComparison.Ordinal);
    }

    [Fact]
    public void Hook_wakes_the_app_when_the_subscription_lacks_its_dead_letter_container()
    {
        string current = $"{AppUri}/runtime/webhooks/blobs\\t/blobServices/default/containers/images/\\tNone\\t30";

        ProcessResult result = RunHook(new()
        {
            ["FAKE_SUBSCRIPTION"] = current,
            ["FAKE_HEALTH_STATUS"] = "503",
            ["FAKE_HEALTH_BODY"] = HealthLoading,
            ["FAKE_KEY"] = "k3y",
        });

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("curl", Calls, StringComparison.Ordinal);
        Assert.True(File.Exists(PutBody));
    }

    [Fact]
    public void Hook_makes_no_subscription_and_wakes_nothing_behind_ip_restrictions()
    {
        ProcessResult result = RunHook(new() { ["LLAVA_ALLOWED_IP_RANGES"] = "203.0.113.0/24" });

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("Event Grid cannot deliver", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", Calls, StringComparison.Ordinal);
        Assert.DoesNotContain("az rest", Calls, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bare_503_from_container_apps_is_not_the_functions_host()
    {
        ProcessResult result = RunHook(new()
        {
            ["FAKE_HEALTH_STATUS"] = "503",
            ["FAKE_HEALTH_BODY"] = "no healthy upstream",
            ["FAKE_KEY"] = "k3y",
        });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("did not answer within 0s (last HTTP status: 503)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("curl", Calls, StringComparison.Ordinal);
        Assert.DoesNotContain("function keys", Calls, StringComparison.Ordinal);
    }

    [Fact]
    public void Hook_shows_the_az_error_when_the_key_never_appears_within_the_wake_timeout()
    {
        ProcessResult result = RunHook(new()
        {
            ["FAKE_HEALTH_STATUS"] = "200",
            ["FAKE_HEALTH_BODY"] = HealthLoading.Replace("loading", "ready", StringComparison.Ordinal),
            ["FAKE_KEY_ERROR"] = "(Unauthorized) the caller cannot read host keys",
        });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no blobs_extension system key", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("the caller cannot read host keys", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Hook_subscribes_with_retries_and_an_identity_based_dead_letter_container_and_keeps_the_key_out_of_its_output()
    {
        ProcessResult result = RunHook(new()
        {
            ["FAKE_HEALTH_STATUS"] = "503",
            ["FAKE_HEALTH_BODY"] = HealthLoading,
            ["FAKE_KEY"] = "s3cret-key",
        });

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.DoesNotContain("s3cret-key", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
        Assert.Contains(
            "az rest --method put --url https://management.azure.com/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-x/providers/Microsoft.EventGrid/systemTopics/evgst-x/eventSubscriptions/images-blob-created?api-version=",
            Calls,
            StringComparison.Ordinal);

        JsonNode properties = JsonNode.Parse(File.ReadAllText(PutBody))!["properties"]!;
        Assert.Equal(
            $"{AppUri}/runtime/webhooks/blobs?functionName=Host.Functions.CaptionOnUpload&code=s3cret-key",
            properties["destination"]!["properties"]!["endpointUrl"]!.GetValue<string>());
        Assert.Equal("/blobServices/default/containers/images/", properties["filter"]!["subjectBeginsWith"]!.GetValue<string>());
        Assert.Equal("Microsoft.Storage.BlobCreated", properties["filter"]!["includedEventTypes"]![0]!.GetValue<string>());
        Assert.Equal(30, properties["retryPolicy"]!["maxDeliveryAttempts"]!.GetValue<int>());
        Assert.Equal(1440, properties["retryPolicy"]!["eventTimeToLiveInMinutes"]!.GetValue<int>());
        JsonNode deadLetter = properties["deadLetterWithResourceIdentity"]!;
        Assert.Equal("SystemAssigned", deadLetter["identity"]!["type"]!.GetValue<string>());
        Assert.Equal(AccountId, deadLetter["deadLetterDestination"]!["properties"]!["resourceId"]!.GetValue<string>());
        Assert.Equal("eventgrid-deadletter", deadLetter["deadLetterDestination"]!["properties"]!["blobContainerName"]!.GetValue<string>());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ProcessResult RunHook(Dictionary<string, string> overrides)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = $"{Bin}:/usr/bin:/bin",
            ["FAKE_LOG"] = Log,
            ["FAKE_PUT_BODY"] = PutBody,
            ["AZURE_RESOURCE_GROUP"] = "rg-x",
            ["SERVICE_LLAVA_NAME"] = "ca-x",
            ["SERVICE_LLAVA_URI"] = AppUri,
            ["EVENTGRID_SYSTEM_TOPIC_NAME"] = "evgst-x",
            ["LLAVA_IMAGES_CONTAINER"] = "images",
            ["EVENTGRID_DEADLETTER_CONTAINER"] = "eventgrid-deadletter",
            ["AZURE_STORAGE_ACCOUNT_ID"] = AccountId,
            ["LLAVA_ALLOWED_IP_RANGES"] = "*",
            ["WAKE_TIMEOUT_SECONDS"] = "0",
            ["WAKE_POLL_SECONDS"] = "0",
        };
        foreach ((string key, string value) in overrides)
        {
            environment[key] = value;
        }

        return ProcessRunner.Run(
            "bash",
            [TestEnvironment.InRepository("scripts", "create-eventgrid-subscription.sh")],
            environment: environment,
            clearEnvironment: true);
    }

    private void WriteTool(string name, string script)
    {
        string path = Path.Combine(Bin, name);
        File.WriteAllText(path, script.ReplaceLineEndings("\n") + "\n");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The hook is a bash script; these tests run on Linux or macOS.");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
