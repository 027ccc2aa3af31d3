using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EcomOps.Core.Aws;

/// <summary>System.Text.Json settings for AWS JSON 1.1: member names as the model spells them, absent members omitted, timestamps as epoch seconds.</summary>
internal static class AwsJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        // Properties carry the model's names already (PascalCase, or [JsonPropertyName] where the model is camelCase).
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // AWS adds members to its answers over time: unknown ones must not break parsing.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        Converters = { new EpochSecondsConverter() },
    };

    /// <summary>JSON 1.1 timestamps: seconds since the Unix epoch, with a fraction for milliseconds.</summary>
    private sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                var seconds = reader.GetDouble();
                return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000d, MidpointRounding.AwayFromZero));
            }

            // Some services answer ISO 8601 strings despite the protocol's default; accept them rather than fail a poll.
            var text = reader.GetString();
            return DateTimeOffset.Parse(text ?? "", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value.ToUnixTimeMilliseconds() / 1000m);
    }
}
