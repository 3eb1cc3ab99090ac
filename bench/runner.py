"""Runs commands for the benchmark and reports each one's own resource use.

Node cannot read a finished child's rusage, and a wrapper started per command (GNU time, 10 ms
resolution) would add its own start-up: this one process stays up for the whole benchmark.
One JSON request a line on stdin: {"argv": [...], "env": {...}}; one JSON answer a line on stdout:
wall time from spawn to reap (CLOCK_MONOTONIC), the child's user and system CPU time (wait4),
its peak RSS, its exit status and the end of its stderr.
"""
import json
import os
import shutil
import sys
import tempfile
import time

stderr_file = os.path.join(tempfile.mkdtemp(prefix="bench-runner-"), "stderr")

for request_line in sys.stdin:
    request = json.loads(request_line)
    argv, env = request["argv"], request["env"]
    executable = shutil.which(argv[0], path=env.get("PATH")) or argv[0]
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, stderr_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
    ]
    try:
        started = time.monotonic_ns()
        pid = os.posix_spawn(executable, argv, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        ended = time.monotonic_ns()
    except OSError as error:
        answer = {"error": f"cannot run {argv[0]}: {error}"}
    else:
        with open(stderr_file, "rb") as errors:
            errors.seek(max(0, os.path.getsize(stderr_file) - 4000))
            tail = errors.read().decode("utf-8", "replace")
        answer = {
            "wallMs": (ended - started) / 1e6,
            "cpuMs": (usage.ru_utime + usage.ru_stime) * 1000,
            "maxRssKiB": usage.ru_maxrss,
            "status": os.waitstatus_to_exitcode(status),
            "stderr": tail,
        }
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
