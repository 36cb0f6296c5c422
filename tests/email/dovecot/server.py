"""Start and stop the test IMAP server: Debian's dovecot-imapd with dovecot.conf, on a
loopback port of its own, as the user running the tests (or dovecot's own when that is
root), with one user `support` / `support-test` and its mail in a temporary folder.

    python tests/email/dovecot/server.py start DIR [PORT]   # prints the IMAP URL
    python tests/email/dovecot/server.py stop DIR
"""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "support", "support-test"
CONFIG = Path(__file__).with_name("dovecot.conf")


def available() -> bool:
    return Path(DOVECOT).is_file() and os.access(DOVECOT, os.X_OK)


def start(directory: Path, port: int) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)  # dovecot's own processes read the password file
    if os.geteuid() == 0:
        account = pwd.getpwnam("dovecot")
        user, uid, gid = account.pw_name, account.pw_uid, account.pw_gid
        group = grp.getgrgid(gid).gr_name
    else:
        uid, gid = os.getuid(), os.getgid()
        user, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
    for sub in ("run", "state", "mail", "home"):
        (directory / sub).mkdir(exist_ok=True)
    (directory / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    text = CONFIG.read_text()
    for name, value in {
        "DIR": str(directory),
        "PORT": str(port),
        "UID": str(uid),
        "GID": str(gid),
        "USER": user,
        "GROUP": group,
    }.items():
        text = text.replace(f"@{name}@", value)
    config = directory / "dovecot.conf"
    config.write_text(text)
    for sub in ("mail", "home", "state"):
        os.chown(directory / sub, uid, gid)
    subprocess.run([DOVECOT, "-c", str(config)], check=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return f"imap://{USER}:{PASSWORD}@127.0.0.1:{port}/INBOX"
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"dovecot did not listen on {port}: see {directory}/dovecot.log")


def stop(directory: Path) -> None:
    config = directory / "dovecot.conf"
    if config.exists():
        subprocess.run([DOVECOT, "-c", str(config), "stop"], check=False)


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2]).resolve()
    if command == "start":
        port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        if not port:  # any free loopback port
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        print(start(folder, port))
    else:
        stop(folder)
