using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PgPanel.Core.Hosts;

/// <summary>
/// One long-lived bash for one OS user, fed commands on its standard input. Each command runs in a subshell of it — a
/// fork, where a fresh process costs runuser, a PAM session and an exec of bash — with its own environment, the same
/// strict mode, standard input from /dev/null or the command's text, and standard error merged into the output. The
/// subshell keeps one command's variables, directory, functions and traps from the next. After the subshell the
/// driver prints a random marker and the exit code; the marker ends the command's output. One command at a time:
/// <see cref="TryEnter"/> says whether the session is free. Cancelling a command ends the session and everything it
/// started (the next command starts a new one); a session whose bash is gone is never reused.
/// </summary>
internal sealed class ShellSession : IAsyncDisposable
{
    /// <summary>
    /// The driver: reads "marker scriptBytes envCount stdinBytes" then the script, each variable as "NAME bytes" and its
    /// value, then the standard input (stdinBytes −1: none); runs the script in a subshell; prints "marker exitCode".
    /// Byte counts: bash reads characters, and under LC_ALL=C a character is a byte.
    /// </summary>
    private const string Driver =
        """
        export LC_ALL=C
        exec 2>&1
        while IFS=' ' read -r __pgpanel_mark __pgpanel_len __pgpanel_envs __pgpanel_inlen; do
          IFS= read -r -N "$__pgpanel_len" __pgpanel_script || exit 0
          __pgpanel_env=()
          for ((__pgpanel_i = 0; __pgpanel_i < __pgpanel_envs; __pgpanel_i++)); do
            IFS=' ' read -r __pgpanel_name __pgpanel_vlen || exit 0
            IFS= read -r -N "$__pgpanel_vlen" __pgpanel_value || [ "$__pgpanel_vlen" = 0 ] || exit 0
            __pgpanel_env+=("$__pgpanel_name=$__pgpanel_value")
          done
          __pgpanel_in=
          if [ "$__pgpanel_inlen" -gt 0 ]; then IFS= read -r -N "$__pgpanel_inlen" __pgpanel_in || exit 0; fi
          __pgpanel_run() {
            for __pgpanel_kv in "${__pgpanel_env[@]}"; do export "$__pgpanel_kv"; done
            unset -v __pgpanel_env __pgpanel_kv __pgpanel_name __pgpanel_value __pgpanel_in __pgpanel_i __pgpanel_vlen __pgpanel_len __pgpanel_envs __pgpanel_inlen
            unset -f __pgpanel_run
            SECONDS=0
            eval "unset -v __pgpanel_mark __pgpanel_script; $__pgpanel_script"
          }
          if [ "$__pgpanel_inlen" -ge 0 ]; then
            printf '%s' "$__pgpanel_in" | ( __pgpanel_run )
          else
            ( __pgpanel_run ) </dev/null
          fi
          __pgpanel_rc=$?
          unset -v __pgpanel_script __pgpanel_env __pgpanel_value __pgpanel_in
          printf '\n%s %d\n' "$__pgpanel_mark" "$__pgpanel_rc"
        done
        """;

    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _marker = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly StreamReader _output;
    private readonly char[] _buffer = new char[4096];
    private readonly StringBuilder _pending = new();
    private int _bufferStart;
    private int _bufferEnd;
    private readonly StringBuilder _errors = new();
    private readonly Task _errorPump;
    private bool _broken;

    private ShellSession(Process process)
    {
        _process = process;
        _output = process.StandardOutput;
        _errorPump = PumpErrorsAsync(process.StandardError);
    }

    /// <summary>False once its bash has ended or a command was cancelled in it.</summary>
    public bool IsUsable => !_broken && !_process.HasExited;

    /// <summary>Starts bash with the driver; <paramref name="start"/> names the program (bash, or runuser … bash).</summary>
    public static ShellSession Start(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Driver);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        // The driver sends its commands' standard error to standard output; what comes on standard error is from before
        // bash ran it (runuser: "user … does not exist") and becomes the output of the command that found the session gone.
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = new Process { StartInfo = start };
        process.Start();
        return new ShellSession(process);
    }

    /// <summary>True when a command could run here now (it then holds the session until <see cref="RunAsync"/> ends).</summary>
    public bool TryEnter() => _gate.Wait(0);

    /// <summary>True when the text can travel to the driver (bash variables cannot hold NUL).</summary>
    public static bool CanCarry(ShellCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return !command.Script.Contains('\0', StringComparison.Ordinal)
            && command.StandardInput?.Contains('\0', StringComparison.Ordinal) != true
            && (command.Environment ?? new Dictionary<string, string>()).All(kv => IsVariableName(kv.Key) && !kv.Value.Contains('\0', StringComparison.Ordinal));
    }

    /// <summary>Runs one command; the caller has entered the session with <see cref="TryEnter"/>, and this releases it.</summary>
    public async Task<ShellResult> RunAsync(string script, ShellCommand command, Action<string>? onOutput, CancellationToken cancellationToken)
    {
        try
        {
            var output = new StringBuilder();
            void OnLine(string line)
            {
                output.Append(line).Append('\n');
                onOutput?.Invoke(line);
            }

            await using var registration = cancellationToken.Register(Abandon).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await WriteRequestAsync(script, command).ConfigureAwait(false);
            }
            catch (IOException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (IOException)
            {
                // The session's bash is gone (its end is read below, with what it said).
            }

            var exitCode = await ReadUntilMarkerAsync(OnLine, cancellationToken).ConfigureAwait(false);
            if (exitCode is null)
            {
                // Like a process of its own that died: its exit code, and whatever it said before.
                _broken = true;
                return new ShellResult(await EndedAsync(OnLine).ConfigureAwait(false), output.ToString());
            }

            return new ShellResult(exitCode.Value, output.ToString());
        }
        catch
        {
            // A cancel, or a failure here (a subscriber's exception): the command must not go on unwatched.
            Abandon();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // End of input ends the driver's loop; a driver still busy after that is ended with what it started.
                _process.StandardInput.Close();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Abandon();
                }
            }
        }
        catch (IOException)
        {
            Abandon();
        }
        finally
        {
            // The gate is not disposed: a command that is still finishing releases it.
            _process.Dispose();
        }
    }

    private static bool IsVariableName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private async Task WriteRequestAsync(string script, ShellCommand command)
    {
        // Each part is encoded on its own, so that its byte count is exactly the bytes sent for it.
        var environment = command.Environment ?? new Dictionary<string, string>();
        var scriptBytes = Encoding.UTF8.GetBytes(script);
        var inputBytes = command.StandardInput is { } input ? Encoding.UTF8.GetBytes(input) : null;
        using var request = new MemoryStream();
        void Add(byte[] bytes) => request.Write(bytes);
        Add(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{_marker} {scriptBytes.Length} {environment.Count} {inputBytes?.Length ?? -1}\n")));
        Add(scriptBytes);
        foreach (var (name, value) in environment)
        {
            var valueBytes = Encoding.UTF8.GetBytes(value);
            Add(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{name} {valueBytes.Length}\n")));
            Add(valueBytes);
        }

        if (inputBytes is not null)
        {
            Add(inputBytes);
        }

        var stream = _process.StandardInput.BaseStream;
        await stream.WriteAsync(request.GetBuffer().AsMemory(0, (int)request.Length)).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Reads lines (ended by \n or \r) until the marker line; returns the exit code it carries, null when the session ended.</summary>
    private async Task<int?> ReadUntilMarkerAsync(Action<string> onLine, CancellationToken cancellationToken)
    {
        // The driver prints "\n<marker> <code>": the \n ends a last line the command left open. Empty lines are not
        // output, as with a fresh process (OutputLineSplitter).
        while (true)
        {
            if (_bufferStart == _bufferEnd)
            {
                _bufferStart = 0;
                _bufferEnd = await _output.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (_bufferEnd == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (_pending.Length > 0)
                    {
                        onLine(_pending.ToString());
                        _pending.Clear();
                    }

                    return null;
                }
            }

            while (_bufferStart < _bufferEnd)
            {
                var c = _buffer[_bufferStart++];
                if (c is not ('\n' or '\r'))
                {
                    _pending.Append(c);
                    continue;
                }

                if (_pending.Length == 0)
                {
                    continue;
                }

                var line = _pending.ToString();
                _pending.Clear();
                if (c == '\n' && line.Length > _marker.Length + 1 && line[_marker.Length] == ' ' && line.StartsWith(_marker, StringComparison.Ordinal))
                {
                    return int.Parse(line.AsSpan(_marker.Length + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                }

                onLine(line);
            }
        }
    }

    /// <summary>The session's bash ended: what it said on standard error goes to the output; its exit code (255 when unknown or 0).</summary>
    private async Task<int> EndedAsync(Action<string> onLine)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            await _errorPump.WaitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Abandon();
        }

        string errors;
        lock (_errors)
        {
            errors = _errors.ToString();
        }

        foreach (var line in errors.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            onLine(line);
        }

        var exitCode = _process.HasExited ? _process.ExitCode : 255;
        return exitCode == 0 ? 255 : exitCode;
    }

    private async Task PumpErrorsAsync(StreamReader reader)
    {
        var buffer = new char[1024];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            lock (_errors)
            {
                if (_errors.Length < 64 * 1024)
                {
                    _errors.Append(buffer, 0, read);
                }
            }
        }
    }

    /// <summary>Ends the driver and everything it started (a cancelled command, or a driver that would not end).</summary>
    private void Abandon()
    {
        _broken = true;
        LocalShell.KillTree(_process);
    }
}
