"""Running the firerisk command line from Processing: the executable, the
process with its stderr read line by line (JSON events of `run` become
the progress bar and warnings), cancel, and the error as firerisk said it."""
import json
import os
import re
import shutil
import subprocess
import tempfile

from qgis.core import QgsProcessingException

STAGE = re.compile(r"^\S+ \((\d+)/(\d+)\)$")


def executable():
    """FIRERISK from the environment, else firerisk on the PATH."""
    exe = os.environ.get("FIRERISK") or shutil.which("firerisk")
    if not exe or not os.access(exe, os.X_OK):
        raise QgsProcessingException(
            "firerisk is not installed: install the Debian package (scripts/package) "
            "or set FIRERISK to the path of the firerisk binary")
    return exe


def has_command(name):
    """Whether the installed firerisk has the command (explain arrived later)."""
    try:
        return subprocess.run([executable(), name, "--help"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=30).returncode == 0
    except (QgsProcessingException, OSError, subprocess.SubprocessError):
        return False


def run(args, feedback, json_log=False):
    """Runs firerisk with args; returns its stdout.  stderr goes to the
    feedback as it comes (JSON events parsed when json_log); a failure
    raises QgsProcessingException with firerisk's message and exit code."""
    cmd = [executable()] + [str(a) for a in args]
    feedback.pushCommandInfo(" ".join(cmd))
    error = None
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as out:
        with subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                              errors="replace") as proc:
            for line in proc.stderr:
                if feedback.isCanceled():
                    proc.terminate()  # the run's outputs are swapped in whole or not at all
                    break
                line = line.rstrip("\n")
                if not line:
                    continue
                if json_log and line.startswith("{"):
                    error = _event(line, feedback) or error
                elif line.startswith("firerisk: error: "):
                    error = line[len("firerisk: error: "):]
                    feedback.reportError(error)
                else:
                    feedback.pushInfo(line)
            code = proc.wait()
        out.seek(0)
        text = out.read()
    if feedback.isCanceled():
        raise QgsProcessingException("canceled: firerisk stopped (the previous outputs are as they were)")
    if code != 0:
        raise QgsProcessingException("firerisk %s failed (exit code %d): %s"
                                     % (args[0], code, error or "see the log"))
    feedback.setProgress(100)
    return text


def _event(line, feedback):
    """One JSON log event into the feedback; returns the message of an error."""
    try:
        e = json.loads(line)
    except ValueError:
        feedback.pushInfo(line)
        return None
    msg, kind = e.get("message", ""), e.get("event", "")
    if kind == "stage_started":
        m = STAGE.match(msg)
        if m:  # stage i of n begins: (i - 1) / n of the way
            feedback.setProgress(100.0 * (int(m.group(1)) - 1) / int(m.group(2)))
        feedback.pushInfo("firerisk: " + msg)
    elif e.get("level") == "error":
        feedback.reportError(msg)
        return msg
    elif e.get("level") == "warning":
        feedback.pushWarning("firerisk: " + msg)
    else:
        feedback.pushInfo("firerisk: " + msg)
    return None
