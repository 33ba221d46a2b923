namespace StepUp.Tests.EndToEnd;

/// <summary>At the end of the test run, inside it (a test host's exit handlers may be cut short): nothing stays in /tmp.</summary>
[TestClass]
public sealed class TestRunCleanup
{
    [AssemblyCleanup]
    public static void RunFinished() => SdkFeed.RunFinished();
}
