using StepUp.Director;

// Usage: dotnet StepUp.Director.dll --dir <folder> --id <id> [--sdk-version <version>]
string? dir = null, id = null;
var sdkVersion = "";
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--dir": dir = args[i + 1]; break;
        case "--id": id = args[i + 1]; break;
        case "--sdk-version": sdkVersion = args[i + 1]; break;
    }
}
if (dir == null || id == null)
{
    Console.Error.WriteLine("usage: StepUp.Director --dir <folder> --id <id>");
    return 2;
}
return await DirectorServer.RunAsync(dir, id, sdkVersion);
