using System.Text;

namespace PgPanel.Core.Hosts;

/// <summary>Turns a stream of text chunks into lines, ending a line at \n or \r (pg_basebackup -P redraws with \r).</summary>
internal sealed class OutputLineSplitter(Action<string> onLine)
{
    private readonly StringBuilder _pending = new();

    public void Write(ReadOnlySpan<char> chunk)
    {
        foreach (var c in chunk)
        {
            if (c is '\n' or '\r')
            {
                Flush();
            }
            else
            {
                _pending.Append(c);
            }
        }
    }

    public void Flush()
    {
        if (_pending.Length > 0)
        {
            onLine(_pending.ToString());
            _pending.Clear();
        }
    }
}
