"""The director's refusals as the exceptions a plan sees, and how their tracebacks are shown.

A refused call (an ``error`` answer) raises the exception class its ``kind`` names
(``CyclicError``), else StepUpError. Such an error is the user's to fix in the calling script, so
the traceback that ends the step is shortened, as in StepUp 4: only the frames of the user's own
files, under a ``Shortened traceback`` header. ``STEPUP_DEBUG=1`` keeps every frame, StepUp's and
those of the launcher, and the message says that the director raised it (the director logs every
refusal in ``.stepup/director.log``).
"""

import os
import sys
import traceback

from . import exceptions

__all__ = ("raise_refusal", "install_short_tracebacks")

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _debug():
    return os.environ.get("STEPUP_DEBUG", "") not in ("", "0")


def raise_refusal(request_type, answer):
    """Raise the exception of an ``error`` answer to a ``request_type`` call."""
    message = str(answer.get("message") or "The director answered an error without a message.")
    error_class = getattr(exceptions, str(answer.get("kind") or ""), None)
    if not (isinstance(error_class, type) and issubclass(error_class, exceptions.StepUpError)):
        error_class = exceptions.StepUpError
    if _debug():
        message = "%s\n(An exception was raised in the server during the call %s; see .stepup/director.log.)" % (
            message, request_type)
    error = error_class(message)
    error.from_director = True
    install_short_tracebacks()
    raise error


def _is_stepup_frame(filename):
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE_DIR + os.sep) or filename.startswith("<frozen") or os.path.basename(path) == "runpy.py"


def _short_excepthook(error_type, error, tb):
    if not getattr(error, "from_director", False) or _debug():
        sys.__excepthook__(error_type, error, tb)
        return
    frames = [frame for frame in traceback.extract_tb(tb) if not _is_stepup_frame(frame.filename)]
    if not frames:
        sys.__excepthook__(error_type, error, tb)
        return
    for frame in frames:
        frame.filename = _shown(frame.filename)
    sys.stderr.write("Shortened traceback (StepUp's own frames left out; STEPUP_DEBUG=1 shows them):\n")
    sys.stderr.write("".join(traceback.format_list(frames)))
    sys.stderr.write("".join(traceback.format_exception_only(error_type, error)))


def _shown(filename):
    """A file in the working folder as ``./name``, as the user would write it; others as they are."""
    relative = os.path.relpath(os.path.abspath(filename))
    return filename if relative.startswith("..") else os.path.join(".", relative)


def install_short_tracebacks():
    """Makes an uncaught refusal of the director end the process with a short traceback (a hook
    the script set itself is left alone)."""
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _short_excepthook
