using System.Net;
using EcomOps.Core.Aws.Athena;
using EcomOps.Core.Aws.Glue;
using EcomOps.Core.Aws.RedshiftData;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace EcomOps.Core.Aws;

/// <summary>Registers the AWS JSON 1.1 client, its typed service clients and the STS identity check (Aws backend).</summary>
internal static class AwsClientRegistration
{
    public static IServiceCollection AddAwsClients(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AwsOptions>()
            .Bind(configuration.GetSection(AwsOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsOptions>, AwsOptionsValidator>());
        services.TryAddSingleton<AwsEndpointResolver>();
        services.TryAddSingleton(sp => new AwsCredentialSource(sp.GetRequiredService<IOptions<AwsOptions>>().Value.Profile));

        var http = services.AddHttpClient(AwsJsonClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            // Redirects must not be followed below the signer: the next hop would carry a stale or no signature.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.All })
            // AwsJsonClient logs each call's operation, status and request id; the factory's per-request lines would
            // add four Information entries to every status poll. Polly still logs retries.
            .RemoveAllLoggers();
        // Added before the signer, so it sits outside it: every retry is signed afresh with its own X-Amz-Date.
        http.AddResilienceHandler("aws", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<AwsOptions>>().Value;
            pipeline.AddTimeout(TimeSpan.FromSeconds(options.TotalTimeoutSeconds));
            // Polly's retry takes 1 or more attempts: 0 (no retries) means no retry strategy at all.
            if (options.MaxRetryAttempts > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetryAttempts,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMilliseconds),
                    MaxDelay = TimeSpan.FromSeconds(options.RetryMaxDelaySeconds),
                    ShouldHandle = args => ShouldRetryAsync(args.Outcome, args.Context.CancellationToken),
                });
            }

            pipeline.AddTimeout(TimeSpan.FromSeconds(options.AttemptTimeoutSeconds));
        });
        http.AddHttpMessageHandler(sp => new AwsSigningHandler(sp.GetRequiredService<AwsCredentialSource>()));

        services.TryAddSingleton<AwsJsonClient>();
        services.TryAddSingleton<GlueClient>();
        services.TryAddSingleton<AthenaClient>();
        services.TryAddSingleton<RedshiftDataClient>();
        services.TryAddSingleton<IAwsIdentity, StsAwsIdentity>();
        return services;
    }

    /// <summary>
    /// Network failures, time-outs, 5xx and 429 (the standard transient set), and JSON 1.1 throttling, which AWS
    /// answers as a 400 whose <c>__type</c> names it. A 400 such as AccessDeniedException is final.
    /// </summary>
    internal static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken)
    {
        if (HttpClientResiliencePredicates.IsTransient(outcome))
        {
            return true;
        }

        if (outcome.Result is { StatusCode: HttpStatusCode.BadRequest } response)
        {
            var error = await AwsErrors.ReadAsync(new AwsOperation(AwsService.Glue, "?"), response, cancellationToken).ConfigureAwait(false);
            return error.IsRetryable;
        }

        return false;
    }
}
