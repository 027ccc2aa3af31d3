using System.Threading.Channels;

namespace EcomOps.Core.Jobs;

// A run's in-memory state: its snapshot, watchers, children and cancellation.
public sealed partial class JobRunner
{
    /// <summary>One run of this process while it is in memory.</summary>
    internal sealed class RunState(JobRun run, IJobHandler handler, IJobParameters parameters, IReadOnlyList<string> resources, string? resumeExternalId) : IDisposable
    {
        private readonly List<Channel<JobRun>> _watchers = [];
        private readonly List<CancellationTokenRegistration> _children = [];
        private bool _ended;

        public Lock Gate { get; } = new();

        public Guid Id { get; } = run.Id;

        public JobRun Snapshot { get; set; } = run;

        public IJobHandler Handler { get; } = handler;

        public IJobParameters Parameters { get; } = parameters;

        public IReadOnlyList<string> Resources { get; } = resources;

        public string? ResumeExternalId { get; } = resumeExternalId;

        public CancellationTokenSource Cancellation { get; } = new();

        public TaskCompletionSource<JobRun> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Dictionary<string, DateTimeOffset> StepStarted { get; } = [];

        public DateTimeOffset LastPublished { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset LastSaved { get; set; } = DateTimeOffset.MinValue;

        /// <summary>Whether it holds its resources now (guarded by the runner's schedule lock).</summary>
        public bool Holding { get; set; }

        public (JobRun First, Channel<JobRun>? Changes) Watch()
        {
            lock (Gate)
            {
                if (_ended)
                {
                    return (Snapshot, null);
                }

                // Only the latest snapshot matters to a watcher that falls behind; the final one is never dropped.
                var channel = Channel.CreateBounded<JobRun>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
                _watchers.Add(channel);
                return (Snapshot, channel);
            }
        }

        public void Unwatch(Channel<JobRun>? channel)
        {
            if (channel is null)
            {
                return;
            }

            lock (Gate)
            {
                _watchers.Remove(channel);
            }
        }

        /// <summary>Hands a published snapshot to the watchers; called under <see cref="Gate"/>.</summary>
        public void Notify(JobRun snapshot, bool last)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(snapshot);
                if (last)
                {
                    watcher.Writer.TryComplete();
                }
            }

            if (last)
            {
                _watchers.Clear();
                _ended = true;
            }
        }

        public void EndWatches()
        {
            lock (Gate)
            {
                Notify(Snapshot, last: true);
            }
        }

        /// <summary>A child is cancelled with its parent.</summary>
        public void AdoptChild(RunState child)
        {
            lock (Gate)
            {
                _children.Add(Cancellation.Token.Register(child.CancelQuietly));
            }
        }

        public void CancelQuietly()
        {
            try
            {
                Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It has just finished.
            }
        }

        public void Dispose()
        {
            lock (Gate)
            {
                foreach (var registration in _children)
                {
                    registration.Dispose();
                }

                _children.Clear();
            }

            Cancellation.Dispose();
        }
    }
}
