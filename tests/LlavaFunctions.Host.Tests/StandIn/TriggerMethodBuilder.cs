using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Azure.WebJobs;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>
/// Generates, from the worker's metadata, the WebJobs-side class the Functions host generates: a type
/// <c>Host.Functions</c> with one static method per non-HTTP trigger whose parameter carries the trigger attribute
/// (queue name, blob path with its <c>%SETTING%</c> names, connection, source) and binds to
/// <see cref="ParameterBindingData"/>, the SDK-type binding the worker asked for. The body forwards to
/// <see cref="TriggerDispatch"/>. The method names make the function ids <c>Host.Functions.{name}</c>, the name
/// an Event Grid subscription passes as <c>functionName</c>.
/// </summary>
internal static class TriggerMethodBuilder
{
    public static Type Build(string hostId, IEnumerable<WorkerFunction> functions)
    {
        AssemblyBuilder assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("Host.Functions." + hostId), AssemblyBuilderAccess.Run);
        ModuleBuilder module = assembly.DefineDynamicModule("Host.Functions");
        TypeBuilder type = module.DefineType("Host.Functions", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class);
        MethodInfo dispatch = typeof(TriggerDispatch).GetMethod(nameof(TriggerDispatch.InvokeAsync))!;
        foreach (WorkerFunction function in functions)
        {
            if (!function.TriggerSupportsDeferredBinding)
            {
                throw new NotSupportedException($"{function.Name}: the stand-in only forwards SDK-type (deferred) trigger bindings.");
            }

            MethodBuilder method = type.DefineMethod(function.Name, MethodAttributes.Public | MethodAttributes.Static, typeof(Task), [typeof(ParameterBindingData), typeof(CancellationToken)]);
            ParameterBuilder trigger = method.DefineParameter(1, ParameterAttributes.None, function.TriggerName);
            trigger.SetCustomAttribute(TriggerAttribute(function));
            method.DefineParameter(2, ParameterAttributes.None, "cancellationToken");
            ILGenerator il = method.GetILGenerator();
            il.Emit(OpCodes.Ldstr, hostId);
            il.Emit(OpCodes.Ldstr, function.Name);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, dispatch);
            il.Emit(OpCodes.Ret);
        }

        return type.CreateType();
    }

    private static CustomAttributeBuilder TriggerAttribute(WorkerFunction function)
    {
        string? connection = WorkerFunction.Text(function.Trigger, "connection");
        switch (function.TriggerType.ToLowerInvariant())
        {
            case "queuetrigger":
            {
                ConstructorInfo constructor = typeof(QueueTriggerAttribute).GetConstructor([typeof(string)])!;
                return new CustomAttributeBuilder(
                    constructor,
                    [WorkerFunction.Text(function.Trigger, "queueName")!],
                    [typeof(QueueTriggerAttribute).GetProperty(nameof(QueueTriggerAttribute.Connection))!],
                    [connection]);
            }

            case "blobtrigger":
            {
                ConstructorInfo constructor = typeof(BlobTriggerAttribute).GetConstructor([typeof(string)])!;
                BlobTriggerSource source = Enum.Parse<BlobTriggerSource>(WorkerFunction.Text(function.Trigger, "source") ?? nameof(BlobTriggerSource.LogsAndContainerScan), ignoreCase: true);
                return new CustomAttributeBuilder(
                    constructor,
                    [WorkerFunction.Text(function.Trigger, "path")!],
                    [typeof(BlobTriggerAttribute).GetProperty(nameof(BlobTriggerAttribute.Connection))!, typeof(BlobTriggerAttribute).GetProperty(nameof(BlobTriggerAttribute.Source))!],
                    [connection, source]);
            }

            default:
                throw new NotSupportedException($"{function.Name}: the stand-in does not implement '{function.TriggerType}' triggers.");
        }
    }
}
