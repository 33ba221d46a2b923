namespace StepUp.Engine.Slurm;

/// <summary>A Slurm command could not do what was asked; the message says which command and why.</summary>
public class SlurmException(string tool, string message) : Exception(message)
{
    /// <summary>The command that failed: sbatch, squeue or scancel.</summary>
    public string Tool { get; } = tool;
}

/// <summary>The command is not installed (or not on PATH) on the machine that runs the director.</summary>
public sealed class SlurmToolMissingException(string tool, string message) : SlurmException(tool, message);

/// <summary>The command did not answer within its time limit and was killed.</summary>
public sealed class SlurmTimeoutException(string tool, string message) : SlurmException(tool, message);

/// <summary>
/// The command ran and refused: a non-zero exit or output it should not give. <see cref="SlurmMessage"/>
/// is what Slurm said (its standard error), for the user to read.
/// </summary>
public sealed class SlurmCommandFailedException(string tool, string message, string slurmMessage) : SlurmException(tool, message)
{
    public string SlurmMessage { get; } = slurmMessage;
}
