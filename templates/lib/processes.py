"""Run a training script in a subprocess and show its output in the notebook as it comes."""

import subprocess


def run_streaming(command, what, cwd, env=None, keep=20):
    """Run `command`, printing each line it writes; on failure raise naming `what`, with its last `keep` lines."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd, env=env)
    tail = []
    for line in process.stdout:
        print(line, end="")
        tail = (tail + [line])[-keep:]
    if process.wait() != 0:
        raise RuntimeError(f"{what} failed (exit {process.returncode}); last lines:\n{''.join(tail)}")
