using System.Reflection;
using Google.Protobuf.Reflection;
using LlavaFunctions.HostTests.Rpc;

namespace LlavaFunctions.Host.Tests.Protocol;

/// <summary>
/// The stand-in's FunctionRpc code is generated from Rpc/FunctionRpc.protoset, exported from the descriptors the
/// worker's gRPC package embeds. If a worker update changes the protocol, this fails and says how to re-export.
/// </summary>
public sealed class ProtocolDescriptorTests
{
    [Fact]
    public void The_committed_protocol_is_the_one_the_worker_package_speaks()
    {
        FileDescriptor worker = (FileDescriptor)Assembly.Load("Microsoft.Azure.Functions.Worker.Grpc")
            .GetType("Microsoft.Azure.Functions.Worker.Grpc.Messages.FunctionRpcReflection", throwOnError: true)!
            .GetProperty("Descriptor")!.GetValue(null)!;

        FileDescriptorSet expected = Export(worker);
        FileDescriptorSet committed = Export(FunctionRpcReflection.Descriptor);

        Assert.True(
            expected.Equals(committed),
            "Rpc/FunctionRpc.protoset differs from Microsoft.Azure.Functions.Worker.Grpc's FunctionRpc. Re-export it: serialize the package's " +
            "FunctionRpcReflection.Descriptor and its dependencies (ToProto) into a FileDescriptorSet, with csharp_namespace set to LlavaFunctions.HostTests.Rpc.");
    }

    /// <summary>The file and its dependencies, with the C# namespace option (ours differs on purpose) cleared.</summary>
    private static FileDescriptorSet Export(FileDescriptor root)
    {
        FileDescriptorSet set = new();
        HashSet<string> seen = new(StringComparer.Ordinal);
        void Add(FileDescriptor file)
        {
            if (!seen.Add(file.Name))
            {
                return;
            }

            foreach (FileDescriptor dependency in file.Dependencies)
            {
                Add(dependency);
            }

            FileDescriptorProto proto = file.ToProto();
            proto.Options?.ClearCsharpNamespace();
            set.File.Add(proto);
        }

        Add(root);
        return set;
    }
}
