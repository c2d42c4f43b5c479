"""Real servers for tests that need to stop and start them: a throwaway PostgreSQL
cluster and the app itself under gunicorn, each in a child process.

The PostgreSQL binaries come from Debian's postgresql package, as in .ci/run;
initdb and postgres refuse to run as root, so as root they run as the
postgres user. Under CI=true a missing binary fails the test instead of
skipping it.
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from glob import glob
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.test_settings import PRODUCTION_KEY, ROOT, SETTINGS_VARIABLES

IN_CI = os.environ.get("CI", "").lower() == "true"


def pg_bin() -> Path:
    """The newest installed PostgreSQL's binaries (as .ci/run picks), or PG_BIN."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    return Path(found[-1]) if found else Path("/nonexistent")


def require_postgresql_binaries() -> Path:
    directory = pg_bin()
    missing = [name for name in ("initdb", "pg_ctl", "psql") if not (directory / name).exists()]
    problem = None
    if missing:
        problem = f"PostgreSQL binaries missing in {directory}: apt-get install postgresql"
    elif os.geteuid() == 0 and not shutil.which("runuser"):
        problem = "runuser is missing: PostgreSQL cannot run as root"
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    return directory


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ThrowawayCluster:
    """A PostgreSQL server in a temporary directory, on a loopback TCP port."""

    bin: Path
    directory: Path
    port: int = field(default_factory=free_port)

    def _run(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            prefix + list(command), check=True, capture_output=True, text=True, timeout=60, **kwargs
        )

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            *("-D", str(self.directory / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8"),
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            *("-D", str(self.directory / "data"), "-l", str(self.directory / "log"), "-w"),
            *("-o", options, "start"),
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", mode, "stop")

    def postmaster_pid(self) -> int:
        return int((self.directory / "data" / "postmaster.pid").read_text().split()[0])

    @contextlib.contextmanager
    def paused(self):
        """The server hangs: accepts connections (the kernel does) and never answers.

        SIGSTOP to the postmaster, then to each of its children, including the
        backend of every open connection; SIGCONT to all of them on the way out,
        whatever happens inside. Each child calls setsid(), so no process group
        holds them all: they are found by their parent in /proc (Linux).
        """
        postmaster = self.postmaster_pid()
        stopped = []
        try:
            os.kill(postmaster, signal.SIGSTOP)
            stopped.append(postmaster)
            # Stopped for sure before its children are listed: it forks no more.
            give_up = time.monotonic() + 5
            while _process_state(postmaster) != "T":
                assert time.monotonic() < give_up, "the postmaster did not stop"
                time.sleep(0.01)
            for child in _children(postmaster):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGSTOP)
                    stopped.append(child)
            yield
        finally:
            for pid in reversed(stopped):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def psql(self, sql: str) -> None:
        self._run(
            str(self.bin / "psql"),
            *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q", "-c", sql),
        )

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


def _stat(pid: int) -> list[str]:
    # The fields after the command name, which may hold spaces and parentheses.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _process_state(pid: int) -> str:
    return _stat(pid)[0]


def _children(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                if int(_stat(int(entry.name))[1]) == parent:
                    children.append(int(entry.name))
    return children


@contextlib.contextmanager
def throwaway_cluster():
    directory = Path(tempfile.mkdtemp(prefix="localcare-pg-test-"))
    cluster = ThrowawayCluster(bin=require_postgresql_binaries(), directory=directory)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


def production_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production deployment (DEBUG off), on plain HTTP on loopback."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        # No TLS-terminating proxy in front of the test server.
        SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="tests.security.served_settings",
        **extra,
    )
    return env


def manage(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str
    seconds: float

    @property
    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


@dataclass
class AppServer:
    """The app under gunicorn on a loopback port; its log is kept to read."""

    port: int
    process: subprocess.Popen
    log_path: Path

    def request(
        self, method: str, path: str, *, cookies: dict[str, str] | None = None, form=None
    ) -> Response:
        headers = {}
        if cookies:
            # Set by hand: the cookies are Secure (DEBUG off) and this is plain HTTP.
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        return Response(response.status, response.headers, text, time.monotonic() - started)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def log_in(self, username: str, password: str) -> dict[str, str]:
        form_page = self.get("/accounts/login/")
        assert form_page.status == 200, form_page.text
        cookies = form_page.cookies
        response = self.request(
            "POST",
            "/accounts/login/",
            cookies=cookies,
            form={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": cookies["csrftoken"],
            },
        )
        assert response.status == 302, response.text
        return {**cookies, **response.cookies}

    @property
    def log(self) -> str:
        return self.log_path.read_text()


@contextlib.contextmanager
def app_server(env: dict[str, str], tmp_path: Path):
    port = free_port()
    log_path = tmp_path / f"gunicorn-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "gunicorn", "localcare.wsgi"),
                *("--workers", "1", "--bind", f"127.0.0.1:{port}", "--no-control-socket"),
                # A request waiting on a database that never answers must not be
                # killed by gunicorn before the connect timeout answers it.
                *("--timeout", "30"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(port=port, process=process, log_path=log_path)
    try:
        _wait_until_listening(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_listening(server: AppServer) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{server.log}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", server.port), 0.2),
        ):
            return
        time.sleep(0.05)
    raise AssertionError(f"gunicorn did not start:\n{server.log}")
