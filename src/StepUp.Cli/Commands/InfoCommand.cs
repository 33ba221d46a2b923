using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace StepUp.Cli.Commands;

/// <summary><c>stepup info</c>: prints the running step's definition as JSON (api.info).</summary>
sealed class InfoCommand() : Command("info", "", "print the running step's definition as JSON", """
    Prints the definition of the step that runs this command, as the director knows it:
    command, workdir, inp, out, vol and env, as JSON.
    """)
{
    protected override int Execute(ParsedArguments args, TextWriter output, TextWriter errors)
    {
        NoPositionals(args);
        var answer = Connect().Call<DefinitionReply>(new StepInfoCall());
        output.WriteLine(Indented(answer));
        return ExitCodes.Success;
    }

    /// <summary>The definition with one item a line and two-space indentation, for people to read.</summary>
    static string Indented(DefinitionReply definition)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            definition.WriteDefinition(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
