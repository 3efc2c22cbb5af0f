#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its prompts, as a person
at a terminal would: for CLI tests of interactive commands (signet sign).

    pty_dialog.py [--outbox DIR] [--timeout SECONDS] SCRIPT -- COMMAND [ARG...]

SCRIPT is a file of lines "PATTERN => ANSWER": wait until the output seen
since the last prompt matched matches the Python regular expression
PATTERN, then type ANSWER and Enter. An ANSWER of "@code" types the newest
one-time code in DIR (default $SIGNET_HOME/outbox: the message the prompt
just caused to be sent). A line "PATTERN =>" with no answer only waits.
Everything the command wrote is printed on stdout (with CR LF turned into
LF); the exit status is the command's, or 124 when a prompt did not come
within SECONDS (default 20) of the one before.
"""
import codecs, glob, os, pty, re, select, sys, time


OUTBOX = None


def newest_code():
    outbox = OUTBOX or os.path.join(os.environ["SIGNET_HOME"], "outbox")
    files = sorted(glob.glob(os.path.join(outbox, "*code*")), key=os.path.getmtime)
    for path in reversed(files):
        with open(path, "rb") as f:
            m = re.search(rb"(?m)^    ([0-9]{6})\r?$|signet(?: code|:) ([0-9]{6})", f.read())
        if m:
            return (m.group(1) or m.group(2)).decode()
    sys.exit("pty_dialog: no code in the outbox")


def main():
    global OUTBOX
    args = sys.argv[1:]
    timeout = 20.0
    while args and args[0] in ("--outbox", "--timeout"):
        if args[0] == "--outbox":
            OUTBOX = args[1]
        else:
            timeout = float(args[1])
        del args[:2]
    split = args.index("--")
    with open(args[0], encoding="utf-8") as f:
        steps = []
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            pattern, _, answer = line.partition("=>")
            steps.append((re.compile(pattern.strip()), answer.strip() if _ else None))
    command = args[split + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    # The text not yet matched: what follows a prompt (a chunk may hold more
    # than one) counts for the next.
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    seen = ""
    everything = b""

    def read_some(wait):
        nonlocal seen, everything
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        seen += decoder.decode(data)
        everything += data
        return True

    for pattern, answer in steps:
        deadline = time.time() + timeout
        match = pattern.search(seen)
        while not match:
            if time.time() > deadline or not read_some(0.2):
                sys.stdout.buffer.write(everything.replace(b"\r\n", b"\n"))
                print("\npty_dialog: no prompt matching %r" % pattern.pattern)
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
                os.waitpid(pid, 0)
                sys.exit(124)
            match = pattern.search(seen)
        seen = seen[match.end():]
        if answer is not None:
            text = newest_code() if answer == "@code" else answer
            os.write(fd, text.encode("utf-8") + b"\n")
    while read_some(5):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(everything.replace(b"\r\n", b"\n"))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
