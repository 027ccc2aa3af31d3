using System.CommandLine;
using EcomOps.Core.Security;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops users hash-password</c>: the hash a local user's <c>EcomOps:Auth:Users</c> entry holds.</summary>
internal static class UsersCommand
{
    public static Command Create(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var hash = new Command("hash-password", "Read a password from standard input (one line) and print its hash for EcomOps:Auth:Users:N:PasswordHash");
        hash.SetAction(async (_, token) =>
        {
            // From standard input, never an argument: arguments end up in shell history and process listings.
            if (!Console.IsInputRedirected && ReferenceEquals(stdin, Console.In))
            {
                await stderr.WriteLineAsync("Password (input is shown; pipe it in to keep it off the screen):");
            }

            var password = (await stdin.ReadLineAsync(token))?.TrimEnd('\r');
            if (string.IsNullOrEmpty(password))
            {
                await stderr.WriteLineAsync("error: no password on standard input; for example: printf '%s' \"$PASSWORD\" | ecomops users hash-password");
                return CliApp.UsageError;
            }

            if (password.Length < 12)
            {
                await stderr.WriteLineAsync("error: use a password of at least 12 characters.");
                return CliApp.UsageError;
            }

            await stdout.WriteLineAsync(PasswordHash.Create(password));
            return 0;
        });
        return new Command("users", "Local users of the dashboard's sign-in (EcomOps:Auth:Users)") { hash };
    }
}
