using EcomOps.Web.Auth;

namespace EcomOps.Tests.Auth;

/// <summary>Which Kestrel listening addresses count as this machine only, the condition for the local admin.</summary>
public sealed class SignInModeTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5044")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("https://127.0.0.1:5001")]
    [InlineData("http://127.1.2.3:80")]
    [InlineData("http://[::1]:5044")]
    [InlineData("http://localhost:5044")]
    [InlineData("http://LOCALHOST:5044")]
    [InlineData("http://localhost")]
    public void IsLoopback_ThisMachineOnly_True(string address) => Assert.True(SignInMode.IsLoopback(address));

    [Theory]
    [InlineData("http://0.0.0.0:80")]
    [InlineData("http://[::]:80")]
    [InlineData("http://*:80")]
    [InlineData("http://+:80")]
    [InlineData("http://192.168.1.20:5044")]
    [InlineData("http://10.0.0.5:80")]
    [InlineData("http://[fe80::1]:80")]
    [InlineData("http://localhost.example.com:80")]
    [InlineData("http://127.0.0.1.example.com:80")]
    [InlineData("http://example.com:80")]
    public void IsLoopback_ReachableFromElsewhere_False(string address) => Assert.False(SignInMode.IsLoopback(address));
}
