"""The production topology on loopback ports of its own: PgBouncer (transaction mode) in
front of the shared PostgreSQL with a database of its own, two redis-server processes
(primary and replica) under three Sentinels, the Procfile's processes (gunicorn, two
ASGI processes, workers, two schedulers) and Debian's nginx with deploy/nginx.conf.
Every process it starts is stopped by its pid (its process group), even on failure;
the shared PostgreSQL and Redis are never stopped or flushed."""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("REHEARSAL_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("REHEARSAL_DATABASE", "premium_desk_rehearsal")
MASTER = "rehearsal"
TOOLS = {
    "nginx": "/usr/sbin/nginx",
    "pgbouncer": "/usr/sbin/pgbouncer",
    "redis-server": "/usr/bin/redis-server",
    "redis-sentinel": "/usr/bin/redis-sentinel",
}
SWEEP_INTERVAL = 4


def missing_tools() -> list[str]:
    missing = [
        name for name, path in TOOLS.items() if not (shutil.which(name) or Path(path).exists())
    ]
    if shutil.which("psql") is None:
        missing.append("psql")
    return missing


def tool(name: str) -> str:
    return shutil.which(name) or TOOLS[name]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, seconds: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + seconds
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except RuntimeError:
            raise
        except Exception as exc:
            last = exc
        time.sleep(every)
    raise TimeoutError(f"{what} not within {seconds} s (last error: {last!r})")


def tcp_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True


def redis_cmd(port: int, *args: str) -> str:
    """One command over a raw socket (no client library state to go stale)."""
    out = subprocess.run(
        ["redis-cli", "-p", str(port), *args], capture_output=True, text=True, timeout=5
    )
    return out.stdout.strip()


def psql(sql: str, database: str = DATABASE) -> str:
    out = subprocess.run(
        ["psql", f"{PG}/{database}", "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    return out.stdout.strip()


def procfile() -> dict[str, str]:
    return dict(
        line.split(": ", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )


class Process:
    def __init__(self, name: str, cmd: list[str], log: Path, env: dict, cwd: Path = ROOT):
        self.name, self.cmd, self.log, self.env, self.cwd = name, cmd, log, env, cwd
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        with open(self.log, "ab") as out:
            # Its own process group: stopping it stops its children (Celery's pool).
            self.popen = subprocess.Popen(
                self.cmd,
                cwd=self.cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(10)

    def stop(self) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.popen.wait(10)
        # Whatever is left of the group (pool children of a killed worker).
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Topology:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pd-rehearsal-"))
        self.dir.chmod(0o755)
        self.processes: list[Process] = []
        self.ports = {
            name: free_port()
            for name in (
                "pgbouncer",
                "redis1",
                "redis2",
                "sentinel1",
                "sentinel2",
                "sentinel3",
                "web",
                "ws1",
                "ws2",
                "nginx",
            )
        }
        sentinels = ",".join(f"127.0.0.1:{self.ports[f'sentinel{i}']}" for i in (1, 2, 3))
        self.redis_url = f"redis+sentinel://{sentinels}/{MASTER}/0"
        self.base = f"http://127.0.0.1:{self.ports['nginx']}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))},
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "SECRET_KEY": "rehearsal-only-not-secret",
            "DEBUG": "false",
            "SECURE_COOKIES": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TRUSTED_PROXIES": "1",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.ports['pgbouncer']}/{DATABASE}",
            "DATABASE_POOL_MODE": "transaction",
            "REDIS_URL": self.redis_url,
            "CACHE_URL": "",
            "CHANNEL_LAYER_URL": "",
            "CELERY_BROKER_URL": "",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": "dummymail://",
            "SLA_SWEEP_INTERVAL_SECONDS": str(SWEEP_INTERVAL),
            "SLA_SWEEP_BATCH_SIZE": "200",
            "OUTBOX_RELAY_INTERVAL_SECONDS": "5",
            "LOG_LEVEL": "INFO",
            "WEB_CONCURRENCY": "2",
            "SLA_CONCURRENCY": "1",
            "MAIL_CONCURRENCY": "1",
            "CHAT_RATE_LIMIT_FRAMES": "10000",
            "PYTHONUNBUFFERED": "1",
            # The Procfile's commands (gunicorn, uvicorn, celery) from this virtualenv.
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        }
        for key in ("CACHE_URL", "CHANNEL_LAYER_URL", "CELERY_BROKER_URL"):
            del self.env[key]  # each role follows REDIS_URL
        self.named: dict[str, Process] = {}

    # -- processes -------------------------------------------------------------------
    def spawn(self, name: str, cmd: list[str], env: dict | None = None) -> Process:
        process = Process(name, cmd, self.dir / f"{name}.log", env or self.env).start()
        self.processes.append(process)
        self.named[name] = process
        return process

    def spawn_procfile(self, kind: str, name: str, **env: str) -> Process:
        line = procfile()[kind]
        return self.spawn(name, ["bash", "-c", line], {**self.env, **env})

    def restart(self, name: str) -> Process:
        old = self.named[name]
        old.stop()
        return self.spawn(name, old.cmd, old.env)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def assert_running(self) -> bool:
        """Raise at once when a process died (rather than waiting out a start-up wait)."""
        dead = [p.name for p in self.processes if not p.alive() and p is self.named[p.name]]
        if dead:
            raise RuntimeError(f"exited: {', '.join(dead)}")
        return True

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name} (pid {p.pid}, {'alive' if p.alive() else 'gone'}) ---\n{p.tail()}"
            for p in self.processes
        )

    # -- the pieces ------------------------------------------------------------------
    def database(self) -> None:
        psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', "postgres")
        psql(f'CREATE DATABASE "{DATABASE}"', "postgres")
        # Migrations talk to PostgreSQL directly (DDL wants a session, not a pooler).
        env = {**self.env, "DATABASE_URL": f"{PG}/{DATABASE}", "DATABASE_POOL_MODE": "session"}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=240,
        )

    def pgbouncer(self) -> Process:
        folder = self.dir / "pgbouncer"
        folder.mkdir(exist_ok=True)
        (folder / "userlist.txt").write_text('"postgres" ""\n')
        (folder / "pgbouncer.ini").write_text(
            f"[databases]\n{DATABASE} = host=127.0.0.1 port=5432 dbname={DATABASE}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.ports['pgbouncer']}\n"
            "unix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {folder}/userlist.txt\n"
            "pool_mode = transaction\nmax_client_conn = 500\ndefault_pool_size = 20\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        cmd = [tool("pgbouncer")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            shutil.chown(folder, "postgres")
            for item in folder.iterdir():
                shutil.chown(item, "postgres")
            cmd += ["-u", "postgres"]
        process = self.spawn("pgbouncer", [*cmd, str(folder / "pgbouncer.ini")])
        wait_for(lambda: tcp_open(self.ports["pgbouncer"]), 10, "pgbouncer")
        return process

    def redis(self) -> None:
        for i in (1, 2):
            port = self.ports[f"redis{i}"]
            cmd = [tool("redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
            cmd += ["--save", "", "--appendonly", "no", "--dir", str(self.dir)]
            cmd += ["--dbfilename", f"redis{i}.rdb"]
            if i == 2:
                cmd += ["--replicaof", "127.0.0.1", str(self.ports["redis1"])]
            self.spawn(f"redis{i}", cmd)
        for i in (1, 2):
            wait_for(lambda i=i: redis_cmd(self.ports[f"redis{i}"], "ping") == "PONG", 10, "redis")
        wait_for(
            lambda: (
                "master_link_status:up" in redis_cmd(self.ports["redis2"], "info", "replication")
            ),
            15,
            "the replica",
        )
        for i in (1, 2, 3):
            conf = self.dir / f"sentinel{i}.conf"
            conf.write_text(
                f"port {self.ports[f'sentinel{i}']}\nbind 127.0.0.1\ndir {self.dir}\n"
                f"sentinel monitor {MASTER} 127.0.0.1 {self.ports['redis1']} 2\n"
                f"sentinel down-after-milliseconds {MASTER} 1000\n"
                f"sentinel failover-timeout {MASTER} 10000\n"
                f"sentinel parallel-syncs {MASTER} 1\n"
            )
            self.spawn(f"sentinel{i}", [tool("redis-sentinel"), str(conf)])
        for i in (1, 2, 3):
            wait_for(lambda i=i: self.master_port(i) == self.ports["redis1"], 10, "sentinel")

    def master_port(self, sentinel: int = 1) -> int | None:
        out = redis_cmd(
            self.ports[f"sentinel{sentinel}"], "sentinel", "get-master-addr-by-name", MASTER
        ).split()
        return int(out[1]) if len(out) == 2 else None

    def nginx(self) -> Process:
        conf = (ROOT / "deploy/nginx.conf").read_text()
        conf = conf.replace("127.0.0.1:8001", f"127.0.0.1:{self.ports['web']}")
        conf = conf.replace("127.0.0.1:8002", f"127.0.0.1:{self.ports['ws1']}")
        conf = conf.replace("127.0.0.1:8003", f"127.0.0.1:{self.ports['ws2']}")
        conf = conf.replace("listen 80;", f"listen 127.0.0.1:{self.ports['nginx']};")
        conf = conf.replace("worker_processes auto;", "worker_processes 1;")
        conf = conf.replace("/var/log/nginx/premiumdesk.access.log", str(self.dir / "access.log"))
        temp = self.dir / "nginx-temp"
        temp.mkdir()
        temp.chmod(0o777)
        paths = "".join(
            f"    {kind}_temp_path {temp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        conf = conf.replace("http {\n", "http {\n" + paths, 1)
        path = self.dir / "nginx.conf"
        path.write_text(conf)
        globals_ = f"daemon off; pid {self.dir}/nginx.pid; error_log {self.dir}/nginx-error.log;"
        process = self.spawn("nginx", [tool("nginx"), "-c", str(path), "-g", globals_])
        wait_for(lambda: tcp_open(self.ports["nginx"]), 10, "nginx")
        return process

    def portal(self) -> None:
        self.spawn_procfile("web", "web", PORT=str(self.ports["web"]))
        for i in (1, 2):
            self.spawn_procfile("ws", f"ws{i}", PORT=str(self.ports[f"ws{i}"]))
        for i in (1, 2):
            self.spawn_procfile("worker_sla", f"worker_sla{i}", PROCESS_NAME=str(i))
        self.spawn_procfile("worker_mail", "worker_mail", PROCESS_NAME="1")
        self.spawn_procfile("scheduler", "scheduler1")
        # The standby starts second, so the first is the lock holder (checked anyway).
        time.sleep(1)
        self.spawn_procfile("scheduler", "scheduler2")

    def seed(self, *args: str) -> dict:
        env = {**self.env, "DATABASE_URL": f"{PG}/{DATABASE}", "DATABASE_POOL_MODE": "session"}
        out = subprocess.run(
            [sys.executable, str(ROOT / "tests/rehearsal/seed.py"), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        line = next((x for x in out.stdout.splitlines() if x.startswith("SEED ")), None)
        if line is None:
            raise RuntimeError(f"seed {args} failed:\n{out.stdout}\n{out.stderr}")
        return json.loads(line[5:])

    def last_sweep(self) -> float | None:
        out = psql("SELECT extract(epoch FROM last_run_at) FROM sla_sweephealth WHERE name='sla'")
        return float(out) if out else None

    def lock_holder(self) -> str:
        """The scheduler holding the redbeat lock: the last to log that it acquired it."""
        holders = [
            (p.log.stat().st_mtime, name)
            for name in ("scheduler1", "scheduler2")
            if (p := self.named[name]).alive() and "beat: Acquired lock" in p.log.read_text()
        ]
        if len(holders) != 1:
            raise RuntimeError(f"lock holders: {holders}")
        return holders[0][1]

    def sweeping_worker(self) -> str | None:
        """An SLA worker that has received more sweeps than it finished."""
        for name in ("worker_sla1", "worker_sla2"):
            process = self.named[name]
            if not process.alive():
                continue
            text = process.log.read_text(errors="replace")
            received = len(re.findall(r"Task sla\.tasks\.sla_sweep\[[^\]]+\] received", text))
            done = len(re.findall(r"Task sla\.tasks\.sla_sweep\[[^\]]+\] (succeeded|raised)", text))
            if received > done:
                return name
        return None


def shell(line: str) -> list[str]:
    return shlex.split(line)
