using StepUp.Engine.Slurm;

namespace StepUp.Tests.Slurm;

/// <summary>How resources become sbatch options, and the errors for values Slurm would not take.</summary>
[TestClass]
public sealed class SlurmResourcesTests
{
    [TestMethod]
    public void Every_resource_maps_to_its_sbatch_option_and_verbatim_options_come_last()
    {
        var resources = new SlurmResources(Cpus: 4, Memory: "16gb", Time: "1-12:00:00", Gpus: "a100:2", Partition: "gpu",
            Account: "proj-42", Options: ["--qos=long", "--partition=other"]);

        CollectionAssert.AreEqual(
            new[] { "--cpus-per-task=4", "--mem=16G", "--time=1-12:00:00", "--gpus=a100:2", "--partition=gpu", "--account=proj-42",
                "--qos=long", "--partition=other" },
            resources.ToSbatchOptions().ToArray());
        Assert.AreEqual(0, new SlurmResources().ToSbatchOptions().Count, "nothing asked, the cluster's defaults apply");
        CollectionAssert.AreEqual(new[] { "--mem=500" }, new SlurmResources(Memory: "500").ToSbatchOptions().ToArray());
    }

    [TestMethod]
    [DataRow("30")]
    [DataRow("30:00")]
    [DataRow("2:30:00")]
    [DataRow("3-0")]
    [DataRow("3-12:30")]
    [DataRow("3-12:30:00")]
    public void Slurm_s_time_formats_are_accepted(string time) =>
        CollectionAssert.AreEqual(new[] { "--time=" + time }, new SlurmResources(Time: time).ToSbatchOptions().ToArray());

    [TestMethod]
    public void Values_Slurm_would_refuse_are_errors_that_name_the_value()
    {
        Expect(new SlurmResources(Cpus: 0), "Cpus");
        Expect(new SlurmResources(Memory: "lots"), "Memory 'lots'");
        Expect(new SlurmResources(Memory: "4X"), "Memory '4X'");
        Expect(new SlurmResources(Time: "1h"), "Time '1h'");
        Expect(new SlurmResources(Gpus: "two"), "Gpus 'two'");
        Expect(new SlurmResources(Partition: "a b"), "Partition 'a b'");
        Expect(new SlurmResources(Account: "x;rm"), "Account 'x;rm'");

        static void Expect(SlurmResources resources, string text)
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => resources.ToSbatchOptions());
            StringAssert.Contains(error.Message, text);
        }
    }

    [TestMethod]
    public void Verbatim_option_text_splits_into_words_as_a_shell_would()
    {
        CollectionAssert.AreEqual(new[] { "--qos=long", "--constraint=ib&avx2", "--comment=two words", "--x=it's" },
            SlurmResources.SplitOptions("  --qos=long\t--constraint=ib&avx2 --comment='two words' \"--x=it's\" ").ToArray());
        Assert.AreEqual(0, SlurmResources.SplitOptions("   ").Count);
        Assert.ThrowsExactly<ArgumentException>(() => SlurmResources.SplitOptions("--comment='open"));
    }
}
