using System.Text.Json;
using PgPanel.Core.Cloud.Alibaba;

namespace PgPanel.Core.Runs;

/// <summary>The failures a cloud call is expected to meet (a refused call, a missing resource, an odd answer), as a step's reason.</summary>
internal static class CloudFailure
{
    public static async Task<T> ExplainAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AlibabaApiException ex)
        {
            throw new StepFailedException(1, ex.IsCredentialError
                ? $"{ex.Message}\nThe AccessKey was refused: check it, and that its RAM policy allows this action (see the README)."
                : ex.Message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException)
        {
            throw new StepFailedException(1, ex.Message);
        }
    }
}
