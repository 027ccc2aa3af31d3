namespace EcomOps.Core.Jobs;

// The handlers the runner knows, by parameters type and by kind; and the handle a subscription returns.
public sealed partial class JobRunner
{
    private sealed class Handlers
    {
        private readonly Dictionary<Type, IJobHandler> _byType = [];
        private readonly Dictionary<string, IJobHandler> _byKind = new(StringComparer.Ordinal);

        public Handlers(IEnumerable<IJobHandler> handlers)
        {
            foreach (var handler in handlers)
            {
                if (!_byKind.TryAdd(handler.Kind, handler) || !_byType.TryAdd(handler.ParametersType, handler))
                {
                    throw new InvalidOperationException($"Two job handlers for kind '{handler.Kind}' or parameters {handler.ParametersType.Name}; register each once.");
                }
            }
        }

        public IJobHandler ForParameters(Type type) =>
            _byType.GetValueOrDefault(type) ?? throw new InvalidOperationException($"No job handler runs {type.Name}; register one with AddJobHandler.");

        public IJobHandler ForKind(string kind) =>
            _byKind.GetValueOrDefault(kind) ?? throw new InvalidOperationException($"This EcomOps has no job handler for runs of kind '{kind}'.");

        public IJobHandler? FindKind(string kind) => _byKind.GetValueOrDefault(kind);
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
