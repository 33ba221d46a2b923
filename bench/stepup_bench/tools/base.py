"""What the runner asks of every tool."""

import shutil

from ..measure import count_rewritten, file_times, run_quiet


class Tool:
    name = None
    label = None
    executable = None     # on PATH when the tool is there
    package = None        # the Debian package that brings it
    smoke_install = False  # installed by --smoke too (small packages the smoke run always used)
    peer = False          # compared with StepUp.Sdk in the ratio columns
    cold_limit = None     # seconds: a longer cold build skips the tool at that N and above
    version_argv = None
    own_template = False  # a StepUp.Sdk variant that writes its own folder instead of copying the .stepproj's

    def missing(self):
        """None when the tool is installed, else what is missing."""
        if self.executable and shutil.which(self.executable) is None:
            return "%s is not installed" % self.executable
        return None

    def unavailable(self, bench):
        """Checked at the start of each series, once the SDK is packed: None, or why the tool is skipped."""
        return None

    def version(self):
        if not self.version_argv or not shutil.which(self.version_argv[0]):
            return "not installed"
        rc, out = run_quiet(self.version_argv, timeout=60)
        return out.strip().splitlines()[0] if rc == 0 and out.strip() else "?"

    def write(self, folder, shape, n, bench):
        """The workflow's files in a new folder (no outputs, no state); static files come from the runner."""
        raise NotImplementedError

    def prepare(self, template, shape, n, bench):
        """Once per series, on the template, before it is copied for each repetition; False: failed."""
        return True

    def argv(self, root, shape, phase, bench):
        raise NotImplementedError

    def extra_steps(self, shape):
        """Steps the tool's form of the workflow has beyond the shape's own (run in a cold build)."""
        return 0

    def env(self, bench):
        return None

    @staticmethod
    def deep_stack(shape, argv):
        """argv with no limit on the stack size for a shape deeper than the default 8 MB stack allows:
        make and ninja walk dependencies recursively, and both crash (SIGSEGV) on a chain of 100,000."""
        if not shape.deep:
            return argv
        return ["/bin/sh", "-c", 'ulimit -s unlimited && exec "$@"', "sh"] + argv

    def before(self, root, shape, n, bench):
        """State taken just before a measured build, handed to after()."""
        return file_times(root, [p for s in shape.steps(n) for p in s.out])

    def after(self, root, shape, n, bench, result, state):
        """What else a build tells, as extra fields of its record (`ran`: steps run)."""
        return {"ran": count_rewritten(state, file_times(root, list(state)))}
