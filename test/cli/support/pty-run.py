"""Runs a command with stdin and stderr on a pseudo-terminal (stdout on a pipe,
so data and prompts can be told apart), answers prompts by regex, and prints
one JSON object: {code, stdout, tty, timedOutAt}.

Spec (argv[1], JSON): {"argv": [...], "env": {...}, "cwd": "...",
  "steps": [{"expect": "<regex on the tty text so far>", "send": "<keys>"}],
  "timeoutMs": 15000}

Used by test/cli/*.pty.test.ts; needs only python3's standard library.
"""
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]|\r")


def main() -> None:
    spec = json.loads(sys.argv[1])
    timeout = spec.get("timeoutMs", 15000) / 1000
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))

    def become_session_leader() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(
        spec["argv"], stdin=slave, stdout=subprocess.PIPE, stderr=slave,
        env=spec.get("env"), cwd=spec.get("cwd"), preexec_fn=become_session_leader, close_fds=True,
    )
    os.close(slave)
    stdout_fd = child.stdout.fileno()
    tty_raw = b""
    out_raw = b""
    open_fds = {master, stdout_fd}

    def pump(wait: float) -> None:
        nonlocal tty_raw, out_raw
        ready, _, _ = select.select(list(open_fds), [], [], wait)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                open_fds.discard(fd)
            elif fd == master:
                tty_raw += chunk
            else:
                out_raw += chunk

    def plain() -> str:
        return ANSI.sub("", tty_raw.decode("utf8", "replace"))

    timed_out_at = None
    searched_from = 0
    for index, step in enumerate(spec.get("steps", [])):
        deadline = time.monotonic() + timeout
        pattern = re.compile(step["expect"])
        while True:
            text = plain()
            match = pattern.search(text, searched_from)
            if match:
                searched_from = match.end()
                break
            if time.monotonic() > deadline or not open_fds:
                timed_out_at = index
                break
            pump(0.05)
        if timed_out_at is not None:
            break
        time.sleep(step.get("delayMs", 50) / 1000)
        os.write(master, step["send"].encode("utf8"))

    deadline = time.monotonic() + timeout
    while open_fds and time.monotonic() < deadline and timed_out_at is None:
        pump(0.05)
    try:
        # The pty and pipe close a moment before the exit status is ready.
        code = child.wait(timeout=max(0.5, deadline - time.monotonic()) if timed_out_at is None else 0.01)
    except subprocess.TimeoutExpired:
        if timed_out_at is None:
            timed_out_at = -1
        child.send_signal(signal.SIGKILL)
        code = child.wait()
    print(json.dumps({"code": code, "stdout": out_raw.decode("utf8", "replace"), "tty": plain(), "ttyRaw": tty_raw.decode("utf8", "replace"), "timedOutAt": timed_out_at}))


main()
