# on_terminal.py ANSWER COMMAND... - runs COMMAND on a pseudo-terminal, as a person at
# the keyboard would, answering ANSWER to its first "[y/N]" question; prints what
# the terminal showed and exits with the command's status.
import os, pty, sys
# Runs argv[2:] on a pseudo-terminal and answers argv[1] to the first [y/N] prompt.
answer, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, sent = b'', False
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
    if not sent and b'[y/N]' in out:
        os.write(fd, (answer + '\n').encode())
        sent = True
sys.stdout.write(out.decode(errors='replace'))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
