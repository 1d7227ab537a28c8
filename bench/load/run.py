"""The load test, end to end: a working day of the portal at Zhejiang's size against gunicorn and
PostgreSQL on this machine.

    .venv/bin/pip install -r requirements-bench.txt
    .venv/bin/python bench/load/run.py                  # 50 users, 5 minutes measured
    .venv/bin/python bench/load/run.py --users 100 --spawn-rate 2   # where the limit is

Steps: (re)create the PostgreSQL database `jiaxing_load` (127.0.0.1:5432, user postgres), migrate and
seed it (seed.py: 1,365 offices, 5 staff each, a year of records, accounts), collect the static
files, wait for the machine to be idle (the two cores are shared with whatever else runs here),
start gunicorn with deploy/gunicorn.conf.py in production mode and a db_worker beside it,
wait for /healthz, run locust headless (locustfile.py) with the users logging in one per second,
measure for --duration seconds once every user is in (statistics reset then), stop the servers,
and write under bench/load/out/<date>-u<users>/: locust's CSV files and HTML report, the server
logs, the CPU each process used, and summary.md with the figures and whether the target was met
(p95 of every request under 500 ms, no failure). Exits 1 when the target is missed, 2 when gunicorn
was stopped from outside during the run."""

import argparse
import csv
import datetime as dt
import itertools
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV = ROOT / ".venv" / "bin"
TARGET_P95_MS = 500
# Below this much CPU (% of one core) used by the whole machine, nobody else is running much.
QUIET_PERCENT = 15
# Times in the portal's request log are the portal's (settings.TIME_ZONE).
SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--spawn-rate", type=float, default=1.0, help="users started per second (default 1)")
    parser.add_argument("--duration", type=int, default=300, help="seconds measured after the ramp (300)")
    parser.add_argument("--port", type=int, default=8077, help="gunicorn's port on 127.0.0.1 (8077)")
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/jiaxing_load", help="the database to build"
    )
    parser.add_argument("--keep-db", action="store_true", help="reuse the database seeded by a previous run")
    parser.add_argument(
        "--wait-quiet",
        type=int,
        default=600,
        help="wait at most this many seconds for other processes to leave the machine idle (600)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "out", help="results folder (bench/load/out)")
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[{dt.datetime.now().astimezone():%H:%M:%S}] {message}", flush=True)


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def production_env(args: argparse.Namespace, run_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=args.database,
        DATABASE_CONN_MAX_AGE="60",
        EVIDENCE_ROOT=str(run_dir / "evidence"),
        # Plain HTTP on the loopback interface: nginx terminates TLS in the real deployment, and the
        # load generator could not send Secure cookies back over http.
        DJANGO_SECURE_COOKIES="false",
        DJANGO_SECURE_SSL_REDIRECT="false",
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
    )
    return env


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 90) -> str:
    """Poll /healthz until it answers 200; on a portal without the health check (404), the login
    page instead."""
    deadline = time.monotonic() + timeout
    path = "/healthz"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting; see gunicorn.log")
        try:
            with urllib.request.urlopen(base + path, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return path
        except urllib.error.HTTPError as error:
            if error.code == 404:
                path = "/accounts/login/"
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see gunicorn.log")


# -- CPU accounting ---------------------------------------------------------------------------------


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its live children and the children it has reaped (gunicorn's
    recycled workers, PostgreSQL's ended backends)."""
    try:
        proc = psutil.Process(pid)
        times = proc.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in proc.children(recursive=True):
            try:
                t = child.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


def postmaster_pid() -> int | None:
    for proc in psutil.process_iter(["name", "ppid"]):
        if proc.info["name"] == "postgres":
            try:
                if psutil.Process(proc.info["ppid"]).name() != "postgres":
                    return proc.pid
            except psutil.NoSuchProcess:
                continue
    return None


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (guest time is already counted in user)."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + t.steal


class Sampler(threading.Thread):
    """Every few seconds, the CPU seconds used so far by each of our processes and by the machine,
    so the measured window can be cut out afterwards and spikes matched to what else ran."""

    def __init__(self, pids: dict[str, int | None], every: float = 10) -> None:
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.samples: list[dict[str, float]] = []
        self.stopping = threading.Event()

    def snapshot(self) -> dict[str, float]:
        last = self.samples[-1] if self.samples else {}
        snap = {}
        for name, pid in self.pids.items():
            # A process that has ended (locust at the very end) keeps the figure it had.
            used = tree_cpu(pid) if pid else 0.0
            snap[name] = used if used or not last else last[name]
        snap["whole machine"] = machine_busy()
        snap["wall"] = time.monotonic()
        snap["epoch"] = time.time()
        return snap

    def run(self) -> None:
        while not self.stopping.is_set():
            self.samples.append(self.snapshot())
            self.stopping.wait(self.every)
        self.samples.append(self.snapshot())

    @property
    def ours(self) -> list[str]:
        return list(self.pids)

    def window(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds per process between the first sample at or after `start` and the last at or
        before `end`; "wall" is the length of that window."""
        inside = [s for s in self.samples if start <= s["wall"] <= end]
        if len(inside) < 2:
            return {}
        return {name: inside[-1][name] - inside[0][name] for name in inside[0] if name != "epoch"}

    def intervals(self):
        """(start epoch, end epoch, % of one core per process, % for everything else)."""
        for a, b in itertools.pairwise(self.samples):
            span = b["wall"] - a["wall"]
            if span <= 0:
                continue
            used = {n: (b[n] - a[n]) / span * 100 for n in [*self.ours, "whole machine"]}
            others = max(used["whole machine"] - sum(used[n] for n in self.ours), 0.0)
            yield a["epoch"], b["epoch"], used, others

    def write_timeline(self, path: Path) -> None:
        """CPU per interval, in % of one core."""
        with path.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["time", *self.ours, "whole machine", "everything else"])
            for _, end, used, others in self.intervals():
                clock = dt.datetime.fromtimestamp(end, SHANGHAI).strftime("%H:%M:%S")
                out.writerow([clock, *(f"{v:.0f}" for v in used.values()), f"{others:.0f}"])


def quiet_machine(patience: float) -> float:
    """Wait (at most `patience` seconds) until the machine is nearly idle, so that the run does not
    share the two cores with somebody's test suite; returns the busy % seen last."""
    deadline = time.monotonic() + patience
    while True:
        before = machine_busy()
        time.sleep(10)
        busy = (machine_busy() - before) / 10 * 100
        if busy < QUIET_PERCENT or time.monotonic() > deadline:
            return busy
        log(f"the machine is busy ({busy:.0f} % of a core used by other processes); waiting")


def server_timeline(log_path: Path, sampler: Sampler | None, bucket: int = 30) -> list[str]:
    """Server-side response times per interval, from the portal's own request log, beside the CPU
    that other processes of the machine took meanwhile."""
    pattern = re.compile(r"^(\S+ \d+:\d+:\d+),\d+ \w+ portal\.request request \S+ \S+ \d+ (\d+)ms")
    buckets: dict[int, list[int]] = {}
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = pattern.match(line)
        if m:
            at = dt.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
            buckets.setdefault(int(at.timestamp()) // bucket * bucket, []).append(int(m.group(2)))
    others: dict[int, list[float]] = {}
    for start, end, _, other in sampler.intervals() if sampler else ():
        others.setdefault(int((start + end) / 2) // bucket * bucket, []).append(other)
    lines = []
    for start, times in sorted(buckets.items()):
        times.sort()
        p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
        clock = dt.datetime.fromtimestamp(start, SHANGHAI).strftime("%H:%M:%S")
        busy = others.get(start)
        elsewhere = f"  other processes {sum(busy) / len(busy):3.0f} %" if busy else ""
        lines.append(
            f"{clock}  {len(times):5d} requests  p50 {p50:5d} ms  p95 {p95:5d} ms  max {times[-1]:5d} ms"
            + elsewhere
        )
    return lines


# -- the summary ------------------------------------------------------------------------------------


def read_stats(prefix: Path) -> list[dict]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def ms(value: str) -> str:
    return "" if value in ("", "N/A") else f"{float(value):,.0f}"


def percentile(times: list[float], share: float) -> float:
    return times[min(len(times) - 1, int(len(times) * share))]


def quiet_figures(requests_csv: Path, sampler) -> list[str]:
    """The measured requests split by what the rest of the machine was doing when each ended: on a
    shared machine, the figures of the quiet intervals are the portal's own."""
    if sampler is None or not requests_csv.exists():
        return []
    spans = [(start, end, others) for start, end, _, others in sampler.intervals()]
    groups: dict[str, list[float]] = {"quiet": [], "busy": []}
    failed = {"quiet": 0, "busy": 0}
    with requests_csv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            at = float(row["epoch"])
            others = next((o for start, end, o in spans if start <= at < end), None)
            if others is None:
                continue
            group = "quiet" if others < 2 * QUIET_PERCENT else "busy"
            groups[group].append(float(row["ms"]))
            failed[group] += row["ok"] != "1"
    lines = [
        "",
        f"By what else the machine ran (10-second intervals; quiet: other processes under "
        f"{2 * QUIET_PERCENT} % of a core):",
        "",
        "| intervals | requests | failures | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for group, times in groups.items():
        if times:
            times.sort()
            lines.append(
                f"| {group} | {len(times):,} | {failed[group]} | {percentile(times, 0.5):,.0f} | "
                f"{percentile(times, 0.95):,.0f} | {percentile(times, 0.99):,.0f} |"
            )
    return lines


def summarise(
    args, run_dir: Path, prefix: Path, sampler, cpu: dict, ramp: dict, commands, stopped_outside: str
) -> bool:
    rows = read_stats(prefix)
    total = next(r for r in rows if r["Name"] == "Aggregated")
    endpoints = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: -int(r["Request Count"]))
    p95 = float(total["95%"] if total["95%"] not in ("", "N/A") else "inf")
    failures = int(total["Failure Count"])
    met = p95 < TARGET_P95_MS and failures == 0 and not stopped_outside
    verdict = "met" if met else "missed"
    if stopped_outside:
        verdict = f"not measured: {stopped_outside} by a signal from outside this run"
    lines = [
        f"# Load test, {args.users} users, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"- measured: {args.duration} s after a ramp of {args.users / args.spawn_rate:.0f} s "
        f"({args.spawn_rate:g} user/s; statistics reset once every user was in)",
        f"- requests: {int(total['Request Count']):,}, {float(total['Requests/s']):.1f}/s; "
        f"failures: {failures}",
        f"- all requests: p50 {ms(total['50%'])} ms, p95 {ms(total['95%'])} ms, p99 {ms(total['99%'])} ms, "
        f"max {ms(total['Max Response Time'])} ms",
        f"- target (p95 < {TARGET_P95_MS} ms and no failure): **{verdict}**",
        "",
        "| request | count | fail | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in [*endpoints, total]:
        name = "**all**" if r["Name"] == "Aggregated" else f"{r['Type']} {r['Name']}"
        lines.append(
            f"| {name} | {int(r['Request Count']):,} | {r['Failure Count']} | {float(r['Requests/s']):.2f} | "
            f"{ms(r['50%'])} | {ms(r['95%'])} | {ms(r['99%'])} | {ms(r['Max Response Time'])} |"
        )
    if cpu:
        wall = cpu.pop("wall")
        machine = cpu.pop("whole machine")
        ours = sum(cpu.values())
        lines += [
            "",
            f"CPU over {wall:.0f} s of the measured window, in % of one core (2 cores = 200 %):",
            "",
        ]
        lines += [f"- {name}: {seconds / wall * 100:.0f} %" for name, seconds in cpu.items()]
        others = max(machine - ours, 0) / wall * 100
        lines += [
            f"- everything else on the machine: {others:.0f} %",
            f"- whole machine: {machine / wall * 100:.0f} %",
        ]
        if others > 2 * QUIET_PERCENT:
            lines += [
                "",
                f"**The machine was shared**: other processes took {others:.0f} % of a core during the "
                "measured window, so these figures are worse than the portal's own; the timeline below "
                "shows the intervals without them.",
            ]
    if ramp:
        lines += ["", "During the ramp (each user logs in once; not in the table above):", ""]
        for name, times in sorted(ramp.items()):
            times = sorted(times)
            p95_ramp = times[min(len(times) - 1, int(len(times) * 0.95))]
            lines.append(
                f"- {name}: {len(times)} requests, median {statistics.median(times):.0f} ms, "
                f"p95 {p95_ramp:.0f} ms"
            )
    lines += quiet_figures(run_dir / "requests.csv", sampler)
    retries = run_dir / "retries.json"
    if retries.exists():
        lines += ["", *(f"- {what}: {n}" for what, n in json.loads(retries.read_text()).items())]
    timeline = server_timeline(run_dir / "gunicorn.log", sampler)
    if timeline:
        lines += ["", "Server-side times every 30 s (the portal's request log, Asia/Shanghai):", "", "```"]
        lines += [*timeline, "```"]
    failures_csv = prefix.parent / f"{prefix.name}_failures.csv"
    if failures and failures_csv.exists():
        lines += ["", "Failures:", "", "```", failures_csv.read_text(encoding="utf-8").strip(), "```"]
    lines += ["", "Commands:", "", "```", *commands, "```", ""]
    text = "\n".join(lines)
    (run_dir / "summary.md").write_text(text, encoding="utf-8")
    print(text)
    return met


# -- the run ----------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    run_dir = args.out / f"{dt.datetime.now().astimezone():%Y%m%d-%H%M%S}-u{args.users}"
    run_dir.mkdir(parents=True)
    accounts = args.out / "accounts.json"
    python = str(VENV / "python")
    env = production_env(args, run_dir)
    commands = [f"cd {ROOT}", " ".join([".venv/bin/python", *sys.argv])]

    if not args.keep_db or not accounts.exists():
        log(f"creating the database {args.database.rsplit('/', 1)[1]}")
        recreate_database(args.database)
        log("migrating and seeding (about a minute)")
        seed_env = {**os.environ, "BENCH_DATABASE_URL": args.database}
        seed = [python, str(HERE / "seed.py"), "--accounts", str(accounts)]
        subprocess.run(seed, check=True, env=seed_env)  # noqa: S603 - our own command
    subprocess.run(  # noqa: S603 - our own command
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], check=True, cwd=ROOT, env=env
    )

    if args.wait_quiet:
        busy = quiet_machine(args.wait_quiet)
        log(f"machine busy before the run: {busy:.0f} % of a core")

    base = f"http://127.0.0.1:{args.port}"
    server_log = (run_dir / "gunicorn.log").open("w")
    worker_log = (run_dir / "db_worker.log").open("w")
    log(f"starting gunicorn on {base} and a db_worker")
    server = subprocess.Popen(  # noqa: S603 - our own command
        # Its own control socket: the default one is shared with any other gunicorn of this user.
        [
            str(VENV / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--control-socket",
            str(run_dir / "gunicorn.ctl"),
        ],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [python, "manage.py", "db_worker"], cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT
    )
    stopped_outside = ""
    try:
        probe = wait_until_up(base, server)
        log(f"{probe} answers 200; gunicorn workers: {len(psutil.Process(server.pid).children())}")
        ramp_seconds = args.users / args.spawn_rate
        prefix = run_dir / "locust"
        locust_cmd = [
            str(VENV / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            f"{args.spawn_rate:g}",
            "--run-time",
            f"{int(ramp_seconds + args.duration)}s",
            "--reset-stats",
            "--host",
            base,
            "--csv",
            str(prefix),
            "--html",
            str(run_dir / "report.html"),
            "--only-summary",
            "--stop-timeout",
            "10",
        ]
        commands.append(" ".join(locust_cmd))
        log(f"locust: {args.users} users, ramp {ramp_seconds:.0f} s, then {args.duration} s measured")
        locust_env = {
            **os.environ,
            "LOAD_ACCOUNTS": str(accounts),
            "LOAD_RAMP_FILE": str(run_dir / "ramp.json"),
        }
        workers = env.get("GUNICORN_WORKERS", str(os.cpu_count() * 2 + 1))
        threads = env.get("GUNICORN_THREADS", "4")
        with (run_dir / "locust.log").open("w") as locust_log:
            generator = subprocess.Popen(  # noqa: S603 - our own command
                locust_cmd, cwd=ROOT, env=locust_env, stdout=locust_log, stderr=locust_log
            )
            sampler = Sampler(
                {
                    f"gunicorn ({workers} workers × {threads} threads)": server.pid,
                    "PostgreSQL": postmaster_pid(),
                    "db_worker": worker.pid,
                    "locust (the load generator)": generator.pid,
                }
            )
            started = time.monotonic()
            sampler.start()
            while generator.poll() is None:
                if server.poll() is not None and not stopped_outside:
                    # Somebody else's `pkill gunicorn` (or a crash): these figures mean nothing.
                    stopped_outside = f"gunicorn stopped at {dt.datetime.now().astimezone():%H:%M:%S}"
                    log(f"{stopped_outside}, exit code {server.returncode}; stopping locust")
                    generator.send_signal(signal.SIGINT)
                time.sleep(1)
            sampler.stopping.set()
            sampler.join()
        sampler.write_timeline(run_dir / "cpu_timeline.csv")
        cpu = sampler.window(started + ramp_seconds, started + ramp_seconds + args.duration)
        ramp_file = run_dir / "ramp.json"
        ramp = json.loads(ramp_file.read_text()) if ramp_file.exists() else {}
    finally:
        for proc in (server, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (server, worker):
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
        server_log.close()
        worker_log.close()
    met = summarise(args, run_dir, prefix, sampler, cpu, ramp, commands, stopped_outside)
    log(f"results in {run_dir}")
    if stopped_outside:
        return 2
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
