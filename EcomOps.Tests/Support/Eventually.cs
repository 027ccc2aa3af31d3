namespace EcomOps.Tests.Support;

/// <summary>Waits for something background work makes true, without guessing a sleep.</summary>
public static class Eventually
{
    /// <summary>Returns as soon as <paramref name="condition"/> holds; fails the test after 10 seconds.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail("condition not reached within 10 s");
    }
}
