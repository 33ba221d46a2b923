using System.Text;

namespace StepUp.Tasks
{
    /// <summary>The text form of director events: "   START │ story" lines and ruled pages.</summary>
    static class EventText
    {
        const int Width = 80;

        public static string Line(string tag, string text) => tag.PadLeft(8) + " \u2502 " + text;

        /// <summary>A step's run time, as graph.txt writes it: "1.234 s".</summary>
        public static string Seconds(double milliseconds) =>
            (milliseconds / 1000).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + " s";

        public static string Page(string title, string body)
        {
            var label = " " + title + " ";
            var left = (Width - label.Length) / 2;
            var sb = new StringBuilder();
            sb.Append('\u2500', left).Append(label).Append('\u2500', Width - left - label.Length).Append('\n');
            sb.Append(body.TrimEnd('\n')).Append('\n');
            sb.Append('\u2500', Width);
            return sb.ToString();
        }
    }
}
