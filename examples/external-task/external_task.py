#!/usr/bin/env python3
"""A plug-in that injects a standalone external task into oVirt through hybridflow, in Python with the standard
library only (no SDK, no pip install).

It "replicates a LUN to the DR site": it injects the task "Replicate LUN <n> to the DR site" with a correlation id,
adds a top step, a step per volume under it and an extent step under each volume, reports their progress while it
works, ends them and ends the task. Admins follow it in the engine's Tasks page and on hybridflow's External tasks
page. It uses only the vendor API, with the vendor's own key: no engine credentials.

- A rerun with the same correlation id (after a crash) finds the same task (200): a started one is resumed (its
  finished steps are skipped, its started ones reused), an ended one is left alone.
- A call with no answer, a 5xx or a 429 is tried again with backoff, honouring Retry-After; a 4xx never is.
- SIGTERM or SIGINT ends the task as failed before it exits, so it is not left STARTED until its time limit.
- HF_FAIL_STEP=<n> (or --fail-volume <n>) makes volume n fail: as in oVirt, a failed step fails the engine job.

See README.md beside this file for how to run it and the same calls with curl.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

# Calls are tried this many times on no answer, a 5xx or a 429, waiting RETRY_FIRST_S, then twice as long each time
# up to RETRY_MAX_S (or what Retry-After says, up to RETRY_AFTER_MAX_S).
CALL_ATTEMPTS = 8
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 8.0
RETRY_AFTER_MAX_S = 60.0
CALL_TIMEOUT_S = 30.0
# Progress is reported this many times while a volume is replicated.
TICKS_PER_VOLUME = 4

# Exit codes besides 0: a configuration or API problem, the replication failed (the task is ended FAILED), and
# 128 + the signal's number when stopped by SIGTERM (143) or SIGINT (130).
EXIT_ERROR = 1
EXIT_FAILED = 2


def log(line: str) -> None:
    print(f"external-task: {line}", flush=True)


def fail(line: str) -> None:
    print(f"external-task: {line}", file=sys.stderr, flush=True)


# --- Configuration ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    api_url: str
    vendor_key: str
    lun: int
    volumes: int
    correlation_id: str
    timeout_s: int
    work_s: float
    fail_volume: int  # 0: none


def load_config(argv: list[str], env: dict[str, str]) -> Config:
    parser = argparse.ArgumentParser(description="Injects a standalone external task (a LUN replication).")
    parser.add_argument("--fail-volume", type=int, metavar="N", help="make volume N fail (as HF_FAIL_STEP=N)")
    args = parser.parse_args(argv)
    problems: list[str] = []

    def number(name: str, default: str, low: float, high: float, whole: bool = True) -> float:
        value = env.get(name, default)
        try:
            parsed = int(value) if whole else float(value)
        except ValueError:
            parsed = low - 1
        if not low <= parsed <= high:
            kind = "a whole number" if whole else "a number"
            problems.append(f"{name} must be {kind} from {low:g} to {high:g}, got {value!r}")
        return parsed

    key = env.get("HF_VENDOR_KEY", "")
    if not key:
        problems.append("HF_VENDOR_KEY is unset (the vendor's API key, shown once when it was registered)")
    lun = int(number("HF_TASK_LUN", "5", 0, 1_000_000))
    volumes = int(number("HF_TASK_VOLUMES", "3", 1, 100))
    fail_volume = args.fail_volume if args.fail_volume is not None else int(number("HF_FAIL_STEP", "0", 0, 100))
    if not 0 <= fail_volume <= volumes:
        problems.append(f"the volume to fail must be from 1 to {volumes} (0: none), got {fail_volume}")
    config = Config(
        api_url=env.get("HF_API_URL", "http://127.0.0.1:8080").rstrip("/"),
        vendor_key=key,
        lun=lun,
        volumes=volumes,
        correlation_id=env.get("HF_TASK_CORRELATION_ID") or f"replicate-lun-{lun}",
        timeout_s=int(number("HF_TASK_TIMEOUT", "900", 1, 86_400)),
        work_s=number("HF_WORK_SECONDS", "2", 0, 3600, whole=False),
        fail_volume=fail_volume,
    )
    if problems:
        for problem in problems:
            fail(problem)
        sys.exit(EXIT_ERROR)
    return config


# --- Stopping on SIGTERM / SIGINT ---------------------------------------------------------------------------------


class Stopped(Exception):
    """SIGTERM or SIGINT arrived: end the task as failed and exit."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopFlag:
    """Set by the signal handler; checked between calls and while pausing (a handler only sets a number: safe)."""

    signum = 0

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self.signum = self.signum or signum

    def check(self) -> None:
        if self.signum:
            raise Stopped(self.signum)

    def pause(self, seconds: float) -> None:
        """Sleeps, but raises Stopped as soon as a signal has arrived."""
        until = time.monotonic() + seconds
        while True:
            self.check()
            left = until - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(0.05, left))


# --- The vendor API with urllib -----------------------------------------------------------------------------------


class ApiError(Exception):
    """An answer that is not a success: a 4xx (never tried again), or a 5xx/429/no answer after every attempt."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status  # 0: no answer at all


def _problem(status: int, body: bytes) -> str:
    """The detail (or title) of an RFC 9457 problem answer; the status's phrase for an empty one."""
    if not body.strip():
        try:
            return HTTPStatus(status).phrase
        except ValueError:
            return "(no body)"
    try:
        doc = json.loads(body)
        return str(doc.get("detail") or doc.get("title") or doc)
    except (ValueError, AttributeError):
        return body.decode(errors="replace")[:200]


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class VendorApi:
    def __init__(self, api_url: str, key: str, stop: StopFlag) -> None:
        self.api_url = api_url
        self.stop = stop
        self._headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}

    def _once(self, method: str, path: str, body: Any) -> tuple[int, bytes, str | None]:
        """One HTTP call: status, body and Retry-After of any answer; status 0 if there was none."""
        data = None if body is None else json.dumps(body).encode()
        headers = dict(self._headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.api_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=CALL_TIMEOUT_S) as res:
                return int(res.status), res.read(), None
        except urllib.error.HTTPError as err:
            return int(err.code), err.read(), err.headers.get("Retry-After")
        except (urllib.error.URLError, OSError) as err:
            return 0, f"no answer ({getattr(err, 'reason', err)})".encode(), None

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        stoppable: bool = True,
    ) -> tuple[int, Any]:
        """Calls the vendor API; tries again on no answer, a 5xx or a 429 with backoff (every call it makes is safe
        to repeat: a correlation id, a step key, an end). Raises ApiError for a 4xx at once, or when the attempts are used up; Stopped on a signal unless
        stoppable is False (while ending the task because of one)."""
        wait = RETRY_FIRST_S
        for attempt in range(1, CALL_ATTEMPTS + 1):
            if stoppable:
                self.stop.check()
            status, raw, retry_after = self._once(method, path, body)
            if 200 <= status < 300:
                return status, (json.loads(raw) if raw else None)
            what = f"{method} {path} -> {status}: {_problem(status, raw)}" if status else f"{method} {path}: {raw.decode()}"
            if 0 < status < 500 and status != 429:
                raise ApiError(what, status)
            if attempt == CALL_ATTEMPTS:
                raise ApiError(f"{what} (gave up after {attempt} attempts)", status)
            pause = min(_retry_after(retry_after) or wait, RETRY_AFTER_MAX_S)
            log(f"{what}; trying again in {pause:.1f} s (attempt {attempt + 1} of {CALL_ATTEMPTS})")
            if stoppable:
                self.stop.pause(pause)
            else:
                time.sleep(pause)
            wait = min(wait * 2, RETRY_MAX_S)
        raise AssertionError("unreachable")


# --- The task -----------------------------------------------------------------------------------------------------


class ExternalTask:
    """One standalone external task of this vendor and its steps, through the vendor API."""

    def __init__(self, api: VendorApi, job: dict[str, Any]) -> None:
        self.api = api
        self.job = job
        self.id = str(job["id"])
        self._path = f"/api/v1/vendor/jobs/{urllib.parse.quote(self.id)}"

    @staticmethod
    def inject(api: VendorApi, description: str, correlation_id: str, timeout_s: int) -> tuple[bool, ExternalTask]:
        """Injects the task; (False, the first task) when the correlation id was used before. Safe to retry: the
        correlation id makes a repeat answer the first task."""
        body = {"description": description, "correlationId": correlation_id, "timeoutSeconds": timeout_s}
        status, job = api.call("POST", "/api/v1/vendor/jobs", body)
        return status == 201, ExternalTask(api, job)

    def refresh(self) -> dict[str, Any]:
        _, self.job = self.api.call("GET", self._path, stoppable=False)
        return self.job

    def step(self, key: str, description: str, parent_id: str | None = None) -> dict[str, Any]:
        """The step with this key: added the first time, the same step (with its status) on a retry whose answer
        was lost or on a rerun after a crash, since the same key again answers the first step (200)."""
        body: dict[str, Any] = {"key": key, "description": description}
        if parent_id is not None:
            body["parentStepId"] = parent_id
        _, step = self.api.call("POST", f"{self._path}/steps", body)
        return dict(step)

    def progress(self, step_id: str, progress: int) -> None:
        self.api.call("POST", f"{self._path}/steps/{urllib.parse.quote(step_id)}/progress", {"progress": progress})

    def end_step(self, step_id: str, succeeded: bool, stoppable: bool = True) -> None:
        """Ends a step (the same end again is a 200, so it is safe to retry)."""
        path = f"{self._path}/steps/{urllib.parse.quote(step_id)}/end"
        self.api.call("POST", path, {"succeeded": succeeded}, stoppable=stoppable)

    def end(self, succeeded: bool, reason: str | None = None, stoppable: bool = True) -> dict[str, Any]:
        """Ends the task (a failed one with the reason admins read in the engine job, if given). A repeat after a
        lost answer is a 410 (it has ended): then the task as it ended."""
        body: dict[str, Any] = {"succeeded": succeeded, **({"reason": reason} if reason else {})}
        try:
            _, self.job = self.api.call("POST", f"{self._path}/end", body, stoppable=stoppable)
        except ApiError as err:
            if err.status != 410:
                raise
            self.refresh()
        return self.job


def _engine_job(job: dict[str, Any]) -> str:
    return str(job["engineJobId"]) if job.get("engineJobId") else "not made yet (the engine is away; see its reads)"


# --- The work -----------------------------------------------------------------------------------------------------


class VolumeFailed(Exception):
    pass


class Replication:
    def __init__(self, config: Config, task: ExternalTask, stop: StopFlag) -> None:
        self.config = config
        self.task = task
        self.stop = stop

    def run(self) -> None:
        """The top step, then each volume in turn: its step, its extent step, progress, their ends."""
        c = self.config
        top = self.task.step("top", f"Replicate {c.volumes} volume{'s' if c.volumes > 1 else ''} of LUN {c.lun}")
        log(f'step "{top["description"]}": {top["id"]} (engine step {top["engineStepId"]})')
        try:
            for n in range(1, c.volumes + 1):
                self.volume(top["id"], n)
                self.task.progress(top["id"], round(n / c.volumes * 100))
        except VolumeFailed:
            self.task.end_step(top["id"], succeeded=False)
            raise
        self.task.end_step(top["id"], succeeded=True)
        log(f'step "{top["description"]}": finished')

    def volume(self, top_id: str, n: int) -> None:
        volume = self.task.step(f"volume-{n}", f"Replicate volume {n}", top_id)
        if volume["status"] == "finished":
            log(f'step "{volume["description"]}": finished before (a rerun), skipped')
            return
        if volume["status"] == "failed":
            raise VolumeFailed(f'step "{volume["description"]}" failed before (a rerun)')
        log(f'step "{volume["description"]}": {volume["id"]} (engine step {volume["engineStepId"]})')
        extent = self.task.step(f"extents-{n}", f"Copy the extents of volume {n}", volume["id"])
        log(f'step "{extent["description"]}": {extent["id"]} (engine step {extent["engineStepId"]})')
        for tick in range(1, TICKS_PER_VOLUME + 1):
            self.stop.pause(self.config.work_s / TICKS_PER_VOLUME)
            if n == self.config.fail_volume and tick == TICKS_PER_VOLUME // 2:
                log(f'step "{extent["description"]}": failed (simulated: the DR array refused the extents)')
                self.task.end_step(extent["id"], succeeded=False)
                self.task.end_step(volume["id"], succeeded=False)
                raise VolumeFailed(f"volume {n} failed")
            percent = round(tick / TICKS_PER_VOLUME * 100)
            for step_id in (extent["id"], volume["id"]):
                self.task.progress(step_id, percent)
            log(f"volume {n}: {percent}%")
        self.task.end_step(extent["id"], succeeded=True)
        self.task.end_step(volume["id"], succeeded=True)
        log(f'step "{volume["description"]}": finished')


def end_interrupted(task: ExternalTask, stopped: Stopped) -> None:
    """Ends the task as failed after a signal, saying why (admins read it in the engine job)."""
    why = f"Stopped by {stopped}: the plug-in was asked to exit"
    try:
        job = task.end(succeeded=False, reason=why, stoppable=False)
        log(f"task {task.id}: ended {job['status'].upper()} ({stopped}), engine job {_engine_job(job)}")
    except ApiError as err:
        fail(f"task {task.id}: could not end it after {stopped} ({err}); it fails by its time limit")


def main(argv: list[str]) -> int:
    config = load_config(argv, dict(os.environ))
    stop = StopFlag()
    stop.install()
    api = VendorApi(config.api_url, config.vendor_key, stop)
    description = f"Replicate LUN {config.lun} to the DR site"
    try:
        created, task = ExternalTask.inject(api, description, config.correlation_id, config.timeout_s)
    except ApiError as err:
        fail(f"cannot inject the task at {config.api_url}: {err}")
        return EXIT_ERROR
    except Stopped as stopped:
        fail(f"stopped by {stopped} before the task was injected")
        return 128 + stopped.signum
    job = task.job
    if created:
        log(f'injected task {task.id} "{description}" (correlation id {config.correlation_id}), '
            f"engine job {_engine_job(job)}")
    elif job["status"] != "started":
        reason = f": {job['reason']}" if job.get("reason") else ""
        log(f"found task {task.id} with correlation id {config.correlation_id}: already ended "
            f"({job['status']}{reason}), engine job {_engine_job(job)}; nothing to do")
        return 0
    else:
        log(f"found task {task.id} with correlation id {config.correlation_id} still started (a rerun): resuming it, "
            f"engine job {_engine_job(job)}")

    try:
        try:
            Replication(config, task, stop).run()
        except VolumeFailed as failed:
            job = task.end(succeeded=False)
            fail(f"task {task.id}: ended {job['status'].upper()} ({failed}; {job.get('reason')}), "
                 f"engine job {_engine_job(job)}")
            return EXIT_FAILED
        job = task.end(succeeded=True)
    except Stopped as stopped:
        end_interrupted(task, stopped)
        return 128 + stopped.signum
    except ApiError as err:
        fail(f"task {task.id}: the vendor API refused a call, stopped ({err})")
        if err.status == 410:  # ended for it: its time limit passed, or an operator removed this vendor
            return EXIT_ERROR
        try:
            task.end(succeeded=False, stoppable=False)
            fail(f"task {task.id}: ended FAILED")
        except ApiError as again:
            fail(f"task {task.id}: could not end it either ({again}); it fails by its time limit")
        return EXIT_ERROR
    log(f"task {task.id}: ended {job['status'].upper()}, engine job {_engine_job(job)}")
    return 0 if job["status"] == "finished" else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
