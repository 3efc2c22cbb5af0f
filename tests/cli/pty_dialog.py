#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its prompts, as a person
at a terminal would: for CLI tests of interactive commands (signet sign).

    pty_dialog.py [--outbox DIR] SCRIPT -- COMMAND [ARG...]

SCRIPT is a file of lines "PATTERN => ANSWER": wait until the output seen
since the last answer matches the Python regular expression PATTERN, then
type ANSWER and Enter. An ANSWER of "@code" types the newest one-time code
in DIR (default $SIGNET_HOME/outbox: the message the prompt just caused to be sent). A
line "PATTERN =>" with no answer only waits. Everything the command wrote
is printed on stdout (with CR LF turned into LF); the exit status is the
command's, or 124 when a prompt did not come within 20 seconds.
"""
import glob, os, pty, re, select, sys, time


OUTBOX = None


def newest_code():
    outbox = OUTBOX or os.path.join(os.environ["SIGNET_HOME"], "outbox")
    files = sorted(glob.glob(os.path.join(outbox, "*code*")), key=os.path.getmtime)
    for path in reversed(files):
        with open(path, "rb") as f:
            m = re.search(rb"code:? +([0-9]{6})", f.read())
        if m:
            return m.group(1).decode()
    sys.exit("pty_dialog: no code in the outbox")


def main():
    global OUTBOX
    if sys.argv[1] == "--outbox":
        OUTBOX = sys.argv[2]
        del sys.argv[1:3]
    split = sys.argv.index("--")
    with open(sys.argv[1], encoding="utf-8") as f:
        steps = []
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            pattern, _, answer = line.partition("=>")
            steps.append((re.compile(pattern.strip()), answer.strip() if _ else None))
    command = sys.argv[split + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    seen = b""
    everything = b""
    status = None

    def read_some(timeout):
        nonlocal seen, everything
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        seen += data
        everything += data
        return True

    for pattern, answer in steps:
        deadline = time.time() + 20
        while not pattern.search(seen.decode("utf-8", "replace")):
            if time.time() > deadline or not read_some(0.2):
                if not pattern.search(seen.decode("utf-8", "replace")):
                    sys.stdout.buffer.write(everything.replace(b"\r\n", b"\n"))
                    print("\npty_dialog: no prompt matching %r" % pattern.pattern)
                    try:
                        os.kill(pid, 9)
                    except OSError:
                        pass
                    os.waitpid(pid, 0)
                    sys.exit(124)
                break
        seen = b""
        if answer is not None:
            text = newest_code() if answer == "@code" else answer
            os.write(fd, text.encode("utf-8") + b"\n")
    while read_some(5):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(everything.replace(b"\r\n", b"\n"))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
