using System.Diagnostics;
using System.Net;
using System.Text;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Web;

/// <summary>Oversized input gets a clear answer at once: a body over the limit 413, a spec with too many settings 400.</summary>
[Collection(SerialCollection.Name)]
public sealed class InputLimitTests() : InProcessPanelTest("limits")
{
    [Theory]
    [InlineData("/api/jobs")]
    [InlineData("/api/plans")]
    public async Task A_50_mb_body_is_answered_413_before_it_is_read(string path)
    {
        var body = new ByteArrayContent(new byte[50 * 1024 * 1024]);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var response = await Client.PostAsync(path, body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_spec_with_500000_settings_is_refused_with_the_field_named_and_no_job_is_made()
    {
        var json = new StringBuilder("{\"name\":\"many\",\"primary\":{\"host\":\"127.0.0.1\",\"port\":5432},\"standbys\":[{\"host\":\"127.0.0.1\",\"port\":5433}],\"settings\":{\"primary\":{");
        for (var i = 0; i < 500_000; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("\"s").Append(i).Append("\":\"1\"");
        }

        json.Append("}}}");
        Assert.True(json.Length < 10 * 1024 * 1024, "the body stays under the request limit, so it is the validation that answers");
        var stopwatch = Stopwatch.StartNew();
        var response = await Client.PostAsync("/api/jobs", new StringContent(json.ToString(), Encoding.UTF8, "application/json"));
        stopwatch.Stop();
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("settings.primary", body, StringComparison.Ordinal);
        Assert.Contains("at most 200", body, StringComparison.Ordinal);
        Console.WriteLine($"500,000 settings refused in {stopwatch.ElapsedMilliseconds} ms");
        // Not a speed goal (benchmarks hold those): a guard against the quadratic merge that took minutes.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.Equal("[]", (await Client.GetStringAsync("/api/jobs")).Trim());
    }
}
