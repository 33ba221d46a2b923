namespace StepUp.Engine.Running;

/// <summary>
/// Runs each step where its launch says: on this machine (<see cref="ShellRunner"/>) or as a Slurm
/// job (<see cref="SlurmRunner"/>, opened on the build's first Slurm step, so that a local build
/// never calls Slurm).
/// </summary>
public sealed class ExecutorRunner : IStepRunner
{
    public static IStepRunnerFactory Factory { get; } = new ExecutorRunnerFactory();

    sealed class ExecutorRunnerFactory : IStepRunnerFactory
    {
        public IStepRunner Open(RunnerSite site) => new ExecutorRunner(ShellRunner.Factory.Open(site), site);
    }

    readonly IStepRunner _local;
    readonly RunnerSite _site;
    readonly Lock _gate = new();
    SlurmRunner? _slurm;

    ExecutorRunner(IStepRunner local, RunnerSite site)
    {
        _local = local;
        _site = site;
    }

    public void Start(StepLaunch launch, IStepObserver observer)
    {
        if (launch.Slurm is null)
        {
            _local.Start(launch, observer);
            return;
        }
        SlurmRunner slurm;
        lock (_gate) slurm = _slurm ??= new SlurmRunner(_site);
        slurm.Start(launch, observer);
    }

    public void Dispose()
    {
        _local.Dispose();
        lock (_gate) _slurm?.Dispose();
    }
}
