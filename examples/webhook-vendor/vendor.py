#!/usr/bin/env python3
"""A hybridflow storage vendor in webhook mode, in Python with the standard library only (no SDK, no pip install).

hybridflow POSTs each task (one attempt of a vendor activity) to this server, signed with the vendor's webhook
secret; the server checks the signature, answers 202 at once, and works the task in a thread, reporting through
hybridflow's vendor API with the vendor's key: heartbeats (progress, message; the answer says whether the flow
cancelled the task), sub-steps, then complete or fail. It never talks to Temporal.

It simulates an array as the TypeScript demo vendor acme-storage (vendor-demo/) does: a clone takes
HF_VENDOR_CLONE_MS, then the cloned image is placed into the storage domain through the built-in engine's
storage-array hook. See README.md beside this file for the walkthrough with curl.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

# Deliveries older (or newer) than this are refused: a captured request cannot be replayed later.
MAX_AGE_S = 300
# The largest delivery body taken.
MAX_BODY = 1_000_000
# Heartbeat at least this often while working (the flow's heartbeat timeout is 30 s unless the registration says
# otherwise; progress shows live only if it is sent often).
TICK_S = 0.5
# Calls to the vendor API and to the array: tried this many times, half a second apart, on no answer or a 5xx/429.
CALL_ATTEMPTS = 5
RETRY_PAUSE_S = 0.5
CALL_TIMEOUT_S = 30.0


def log(line: str) -> None:
    print(f"webhook-vendor: {line}", flush=True)


def _round(x: float) -> int:
    """Rounds halves up, as JavaScript's Math.round (Python's round() rounds halves to even)."""
    return int(x + 0.5)


# --- Configuration ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    api_url: str
    vendor_key: str
    webhook_secret: str
    host: str
    port: int
    engine_url: str
    user: str
    password: str
    clone_ms: int
    vendor_id: str
    register: bool


def load_config(env: dict[str, str] | None = None) -> Config:
    env = dict(os.environ) if env is None else env
    problems: list[str] = []

    def required(name: str, why: str) -> str:
        value = env.get(name, "")
        if not value:
            problems.append(f"{name} is unset ({why})")
        return value

    def number(name: str, default: str, low: int, high: int) -> int:
        value = env.get(name, default)
        if not value.isdigit() or not low <= int(value) <= high:
            problems.append(f"{name} must be a whole number from {low} to {high}, got {value!r}")
            return 0
        return int(value)

    config = Config(
        api_url=env.get("HF_API_URL", "http://127.0.0.1:8080").rstrip("/"),
        vendor_key=required("HF_VENDOR_KEY", "the vendor API key shown once when the vendor was registered"),
        webhook_secret=required("HF_WEBHOOK_SECRET", "the webhook signing secret shown with the key"),
        host=env.get("HF_VENDOR_HOST", "127.0.0.1"),
        port=number("HF_VENDOR_PORT", "8090", 1, 65535),
        engine_url=env.get("HF_ENGINE_URL", "http://127.0.0.1:8070").rstrip("/"),
        user=env.get("OVIRT_USER", "admin@internal"),
        password=required("OVIRT_PASSWORD", "the built-in engine's password, e.g. from .data/engine-password"),
        clone_ms=number("HF_VENDOR_CLONE_MS", "4000", 0, 3_600_000),
        vendor_id=env.get("HF_VENDOR_ID", "webhook-storage"),
        register=env.get("HF_VENDOR_REGISTER", "1") not in ("0", "false", "no"),
    )
    if problems:
        for problem in problems:
            print(f"webhook-vendor: {problem}", file=sys.stderr, flush=True)
        sys.exit(1)
    return config


# --- The storage contract as JSON Schemas (common/storage-contract.ts) --------------------------------------------

_SOURCE_DISK = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "sizeBytes": {"type": "number"},
        "storageDomainId": {"type": "string"},
    },
    "required": ["id", "name", "sizeBytes"],
}
_SUB_STEP = {
    "type": "object",
    "properties": {
        "key": {"type": "string"},
        "description": {"type": "string"},
        "status": {"enum": ["running", "finished", "failed"]},
    },
    "required": ["key", "description", "status"],
}
_IMAGE = {
    "imageId": {"type": "string"},
    "storageDomainId": {"type": "string"},
}


def _schema(properties: dict[str, Any], required: list[str], closed: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


_NULL = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "null"}

# Inputs are open (a field a later hybridflow adds does not break this vendor); outputs are closed, as the
# contract's, so that a typo in what this vendor reports is a 422 rather than a surprise further down the flow.
ACTIVITIES: dict[str, dict[str, Any]] = {
    "checkCloneable": {
        "description": "Checks that the array holding these disks can clone them (rapid-clone preflight)",
        "inputSchema": _schema(
            {"vmId": {"type": "string"}, "vmName": {"type": "string"}, "disks": {"type": "array", "items": _SOURCE_DISK}},
            ["vmId", "vmName", "disks"],
            closed=False,
        ),
        "outputSchema": _schema(
            {
                "vendor": {"type": "string"},
                "volumes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "diskId": {"type": "string"},
                            "volume": {"type": "string"},
                            "cloneable": {"type": "boolean"},
                            "reason": {"type": "string"},
                        },
                        "required": ["diskId", "volume", "cloneable"],
                        "additionalProperties": False,
                    },
                },
            },
            ["vendor", "volumes"],
            closed=True,
        ),
    },
    "cloneDisk": {
        "description": "Clones a disk on the array into the storage domain, as an unregistered image with the given id",
        "inputSchema": _schema(
            {"sourceDisk": _SOURCE_DISK, **_IMAGE, "name": {"type": "string"}},
            ["sourceDisk", "storageDomainId", "imageId", "name"],
            closed=False,
        ),
        "outputSchema": _schema(
            {**_IMAGE, "subSteps": {"type": "array", "items": _SUB_STEP}},
            ["imageId", "storageDomainId"],
            closed=True,
        ),
    },
    "updateDiskMetadata": {
        "description": "Writes the image's metadata in the storage domain (what oVirt shows once the disk is registered)",
        "inputSchema": _schema(
            {**_IMAGE, "alias": {"type": "string"}, "description": {"type": "string"}},
            ["imageId", "storageDomainId", "alias", "description"],
            closed=False,
        ),
        "outputSchema": _NULL,
    },
    "deleteImage": {
        "description": "Undo of cloneDisk: deletes the image if it is still unregistered; succeeds if it is gone already",
        "inputSchema": _schema(dict(_IMAGE), ["imageId", "storageDomainId"], closed=False),
        "outputSchema": _NULL,
    },
}


# --- HTTP with urllib ---------------------------------------------------------------------------------------------


class NoAnswer(Exception):
    """No HTTP answer at all (refused, reset, timed out)."""


def _request(method: str, url: str, headers: dict[str, str], body: Any = None) -> tuple[int, bytes]:
    """One HTTP call: the status and body of any answer (errors too), NoAnswer if there was none."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Accept": "application/json", **headers}
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=CALL_TIMEOUT_S) as res:
            return int(res.status), res.read()
    except urllib.error.HTTPError as err:
        return int(err.code), err.read()
    except (urllib.error.URLError, OSError) as err:
        raise NoAnswer(f"{method} {url}: no answer ({getattr(err, 'reason', err)})") from None


def _with_retries(call: Callable[[], tuple[int, bytes]]) -> tuple[int, bytes]:
    """Tries a call again on no answer, a 5xx or a 429 (every call made here is safe to repeat)."""
    for attempt in range(1, CALL_ATTEMPTS + 1):
        try:
            status, body = call()
            if (status < 500 and status != 429) or attempt == CALL_ATTEMPTS:
                return status, body
        except NoAnswer:
            if attempt == CALL_ATTEMPTS:
                raise
        time.sleep(RETRY_PAUSE_S)
    raise AssertionError("unreachable")


# --- The vendor API -----------------------------------------------------------------------------------------------


class TaskGone(Exception):
    """410: the task is no longer open (superseded by a retry, cancelled, ended); nothing more to do on it."""


class ApiError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _problem(body: bytes) -> str:
    """The detail (or title) of an RFC 9457 problem answer."""
    try:
        doc = json.loads(body)
        return str(doc.get("detail") or doc.get("title") or doc)
    except ValueError:
        return body.decode(errors="replace")[:200]


class VendorApi:
    def __init__(self, api_url: str, key: str) -> None:
        self.api_url = api_url
        self._headers = {"Authorization": f"Bearer {key}"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Calls the vendor API with the vendor's key. A 410 raises TaskGone and any other error ApiError; a 409 is
        never tried again (the first report stands)."""
        status, raw = _with_retries(lambda: _request(method, self.api_url + path, self._headers, body))
        if status == 410:
            raise TaskGone(_problem(raw))
        if status >= 400:
            raise ApiError(f"{method} {path} -> {status}: {_problem(raw)}", status)
        return status, (json.loads(raw) if raw else None)

    def register(self, name: str, registration: dict[str, Any]) -> int:
        status, _ = self.call("PUT", f"/api/v1/vendor/activities/{name}", registration)
        return status


class Task:
    """One delivered task and its reports."""

    def __init__(self, api: VendorApi, delivery: dict[str, Any], stopping: threading.Event) -> None:
        self.api = api
        self.id = str(delivery["taskId"])
        self.activity = str(delivery["activity"])
        self.input: dict[str, Any] = delivery.get("input") or {}
        self.attempt = int(delivery.get("attempt", 1))
        self.stopping = stopping
        # What undoes what this task placed, should the flow turn out to have cancelled it meanwhile.
        self.undo: Callable[[], None] | None = None
        self._path = f"/api/v1/vendor/tasks/{urllib.parse.quote(self.id)}"

    def status(self) -> str:
        """The task's status as hybridflow has it (open, completed, failed, superseded, cancelled, ended, ...)."""
        _, task = self.api.call("GET", self._path)
        return str(task["status"])

    def heartbeat(self, progress: int | None = None, message: str | None = None) -> bool:
        """Reports progress; True if the flow cancelled the task (then stop, undo, and fail it)."""
        body: dict[str, Any] = {}
        if progress is not None:
            body["progress"] = max(0, min(100, progress))
        if message is not None:
            body["message"] = message
        _, answer = self.api.call("POST", f"{self._path}/heartbeat", body)
        return bool(answer and answer.get("cancelRequested"))

    def add_step(self, key: str, description: str) -> None:
        self.api.call("POST", f"{self._path}/steps", {"key": key, "description": description})

    def end_step(self, key: str, succeeded: bool) -> None:
        self.api.call("POST", f"{self._path}/steps/{urllib.parse.quote(key)}/end", {"succeeded": succeeded})

    def complete(self, output: Any) -> None:
        self.api.call("POST", f"{self._path}/complete", {"output": output})

    def fail(self, message: str, retryable: bool) -> None:
        self.api.call("POST", f"{self._path}/fail", {"message": message, "retryable": retryable})


class Cancelled(Exception):
    """The flow cancelled the task (a heartbeat answered cancelRequested)."""


class Stopping(Exception):
    """This vendor is stopping (SIGTERM/SIGINT)."""


# --- The storage array (the built-in engine's storage-array hook, as vendor-demo/storage-array.ts) -------------------


class StorageArrayError(Exception):
    """A call the array answered with an error status (0: no answer at all)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class StorageArray:
    def __init__(self, engine_url: str, user: str, password: str) -> None:
        self.engine_url = engine_url
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}"}

    def _call(self, method: str, path: str, body: Any = None) -> int:
        """The status (a 404 too); StorageArrayError on any other error. Every call is idempotent (the flow chose
        the image id), so no answer, a 5xx, 409 or 429 is tried again a few times."""

        def once() -> tuple[int, bytes]:
            status, raw = _request(method, self.engine_url + path, self._headers, body)
            return (503 if status == 409 else status), raw  # 409: the array is busy with the image

        try:
            status, raw = _with_retries(once)
        except NoAnswer as err:
            raise StorageArrayError(str(err), 0) from None
        if status >= 400 and status != 404:
            raise StorageArrayError(f"{method} {path} -> {status} {raw.decode(errors='replace')[:200]}", status)
        return status

    @staticmethod
    def _image(sd: str, image_id: str) -> str:
        return f"/builtin/storage-array/domains/{urllib.parse.quote(sd)}/images/{urllib.parse.quote(image_id)}"

    def put_image(self, sd: str, image_id: str, image: dict[str, Any]) -> None:
        """Places an unregistered image (idempotent: the same id again is fine)."""
        if self._call("PUT", self._image(sd, image_id), image) == 404:
            raise StorageArrayError(f"Storage domain {sd} not found", 404)

    def update_metadata(self, sd: str, image_id: str, metadata: dict[str, str]) -> None:
        if self._call("PATCH", f"{self._image(sd, image_id)}/metadata", metadata) == 404:
            raise StorageArrayError(f"Image {image_id} not found in storage domain {sd}", 404)

    def delete_image(self, sd: str, image_id: str) -> None:
        """Deletes the image; an image that is gone already is fine."""
        self._call("DELETE", self._image(sd, image_id))


# --- The activities -----------------------------------------------------------------------------------------------


class WebhookVendor:
    def __init__(self, config: Config, api: VendorApi, array: StorageArray) -> None:
        self.config = config
        self.api = api
        self.array = array
        self.clone_s = config.clone_ms / 1000
        self.stopping = threading.Event()
        self._seen: set[str] = set()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def take(self, delivery: dict[str, Any]) -> bool:
        """Starts working a delivered task in a thread; False if it is already being worked (a repeated delivery)."""
        task = Task(self.api, delivery, self.stopping)
        with self._lock:
            if task.id in self._seen:
                return False
            self._seen.add(task.id)
            thread = threading.Thread(target=self._run, args=(task,), name=task.id, daemon=True)
            self._threads.add(thread)
        thread.start()
        return True

    def join(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _run(self, task: Task) -> None:
        what = f"{task.activity} task {task.id} (attempt {task.attempt})"
        try:
            work: Callable[[Task], Any] | None = {
                "checkCloneable": self.check_cloneable,
                "cloneDisk": self.clone_disk,
                "updateDiskMetadata": self.update_disk_metadata,
                "deleteImage": self.delete_image,
            }.get(task.activity)
            if work is None:
                log(f"{what}: unknown activity, failed")
                task.fail(f"This vendor has no activity {task.activity}", retryable=False)
                return
            log(f"{what}: started")
            output = work(task)
            task.complete(output)
            log(f"{what}: done")
        except TaskGone as gone:
            log(f"{what}: no longer open, stopped ({gone})")
            self._undo_if_cancelled(task, what)
        except Cancelled:
            # What it placed is deleted already; the task is closed as cancelled, so this fail is answered 410.
            try:
                task.fail("cancelled by the flow", retryable=False)
            except TaskGone:
                pass
            log(f"{what}: cancelled by the flow, stopped")
        except Stopping:
            self._fail_quietly(task, what, "the vendor is stopping", retryable=True)
        except StorageArrayError as err:
            # A 404 from the array (no such domain or image) will not get better with retries.
            self._fail_quietly(task, what, str(err), retryable=err.status != 404)
        except ApiError as err:
            # 409: the task was reported already (the first report stands); 404: not ours, or no such step.
            log(f"{what}: the vendor API refused a report, stopped ({err})")
        except Exception as err:  # noqa: BLE001 - reported to the flow, which retries
            self._fail_quietly(task, what, f"{type(err).__name__}: {err}", retryable=True)
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    def _undo_if_cancelled(self, task: Task, what: str) -> None:
        """A cancelled flow does not wait for its vendor: its undo (deleteImage) may have run before this task placed
        its image. So a task that placed something and then learns it was cancelled deletes it itself. (Not when it
        was superseded: the retry places the same image id.)"""
        if task.undo is None:
            return
        try:
            if task.status() == "cancelled":
                task.undo()
                log(f"{what}: deleted what it had placed, as the flow cancelled it")
        except Exception as err:  # noqa: BLE001 - logged; the flow's own undo may have done it
            log(f"{what}: could not undo what it placed ({err})")

    def _fail_quietly(self, task: Task, what: str, message: str, retryable: bool) -> None:
        log(f"{what}: failed ({message}; {'retryable' if retryable else 'final'})")
        try:
            task.fail(message, retryable=retryable)
        except (TaskGone, ApiError, NoAnswer) as err:
            log(f"{what}: its failure was not taken ({err})")

    def _work_for(self, task: Task, seconds: float, progress: Callable[[float], int], message: str) -> None:
        """Works for `seconds`, heartbeating progress(fraction done) at least every TICK_S. Raises Cancelled once a
        heartbeat answers cancelRequested, Stopping once this vendor stops."""
        start = time.monotonic()
        while True:
            if self.stopping.is_set():
                raise Stopping()
            elapsed = time.monotonic() - start
            fraction = min(1.0, elapsed / seconds) if seconds > 0 else 1.0
            if task.heartbeat(progress(fraction), message):
                raise Cancelled()
            if fraction >= 1.0:
                return
            time.sleep(min(TICK_S, seconds - elapsed))

    def check_cloneable(self, task: Task) -> dict[str, Any]:
        disks = task.input["disks"]
        volumes: list[dict[str, Any]] = []
        for i, disk in enumerate(disks):

            def at(fraction: float, done: int = i) -> int:
                return _round((done + fraction) / len(disks) * 100)

            self._work_for(task, self.clone_s / 4 / len(disks), at, f"Checking the volume of {disk['name']}")
            volumes.append({"diskId": disk["id"], "volume": f"hook-vol-{disk['id'][:8]}", "cloneable": True})
        return {"vendor": self.config.vendor_id, "volumes": volumes}

    def clone_disk(self, task: Task) -> dict[str, Any]:
        source = task.input["sourceDisk"]
        sd, image_id = task.input["storageDomainId"], task.input["imageId"]
        phases = [
            ("snapshot", f"Snapshot volume of {source['name']} on the array", 0, 10, 0.1),
            ("copy", f"Copy {_round(source['sizeBytes'] / 2**30)} GiB to a new volume", 10, 90, 0.8),
            ("export", "Export the new volume into the storage domain", 90, 100, 0.1),
        ]
        try:
            for key, description, start, end, share in phases:
                task.add_step(key, description)
                try:
                    self._work_for(task, self.clone_s * share, lambda f: _round(start + (end - start) * f), description)
                except Stopping:
                    task.end_step(key, succeeded=False)
                    raise
                task.end_step(key, succeeded=True)
            task.undo = lambda: self.array.delete_image(sd, image_id)
            self.array.put_image(
                sd,
                image_id,
                {
                    "name": task.input["name"],
                    "provisioned_size": source["sizeBytes"],
                    "source_disk_id": source["id"],
                    "description": f"Cloned by {self.config.vendor_id} from {source['name']}",
                },
            )
        except (Cancelled, Stopping):
            # Undo what this task may have placed (nothing before the export; idempotent either way).
            self.array.delete_image(sd, image_id)
            raise
        return {"imageId": image_id, "storageDomainId": sd}

    def update_disk_metadata(self, task: Task) -> None:
        if task.heartbeat(0, "Writing the image's metadata"):
            raise Cancelled()
        metadata = {"alias": task.input["alias"], "description": task.input["description"]}
        self.array.update_metadata(task.input["storageDomainId"], task.input["imageId"], metadata)
        return None

    def delete_image(self, task: Task) -> None:
        if task.heartbeat(0, "Deleting the image"):
            raise Cancelled()
        self.array.delete_image(task.input["storageDomainId"], task.input["imageId"])
        return None


# --- The webhook --------------------------------------------------------------------------------------------------


def signature_ok(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float) -> bool:
    """X-Hybridflow-Signature is `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`; the timestamp (Unix seconds)
    must be within MAX_AGE_S of now."""
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > MAX_AGE_S:
        return False
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.encode(), f"v1={mac}".encode())


def make_handler(vendor: WebhookVendor, secret: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "webhook-vendor"

        def _answer(self, status: int, text: str = "") -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            if self.path.split("?", 1)[0] != "/tasks":
                return self._answer(404, "not found\n")
            length = self.headers.get("Content-Length", "")
            if not length.isdigit() or int(length) > MAX_BODY:
                return self._answer(413 if length.isdigit() else 411, "a body of at most 1 MB, with its length\n")
            body = self.rfile.read(int(length))
            timestamp = self.headers.get("X-Hybridflow-Timestamp")
            if not signature_ok(secret, timestamp, self.headers.get("X-Hybridflow-Signature"), body, time.time()):
                log(f"refused a delivery from {self.client_address[0]}: bad signature or stale timestamp")
                return self._answer(401, "bad signature or timestamp\n")
            try:
                delivery = json.loads(body)
                if not isinstance(delivery, dict) or not all(
                    isinstance(delivery.get(field), str) for field in ("taskId", "activity")
                ):
                    raise ValueError("no taskId or activity")
            except ValueError as err:
                return self._answer(400, f"not a task: {err}\n")
            if vendor.stopping.is_set():
                return self._answer(503, "stopping\n")  # hybridflow delivers it again later
            vendor.take(delivery)
            self._answer(202, "accepted\n")

        def do_GET(self) -> None:  # noqa: N802
            self._answer(200 if self.path == "/health" else 404, "ok\n" if self.path == "/health" else "not found\n")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: one line per task instead
            pass

    return Handler


def register_activities(api: VendorApi) -> None:
    for name, registration in ACTIVITIES.items():
        status = api.register(name, registration)
        log(f"registered {name} ({'new' if status == 201 else 'replaced'})")


def main() -> int:
    config = load_config()
    api = VendorApi(config.api_url, config.vendor_key)
    if config.register:
        try:
            register_activities(api)
        except (ApiError, NoAnswer) as err:
            print(f"webhook-vendor: cannot register the activities at {config.api_url}: {err}", file=sys.stderr)
            return 1
    vendor = WebhookVendor(config, api, StorageArray(config.engine_url, config.user, config.password))
    try:
        server = ThreadingHTTPServer((config.host, config.port), make_handler(vendor, config.webhook_secret))
    except OSError as err:
        print(f"webhook-vendor: cannot listen on {config.host}:{config.port}: {err}", file=sys.stderr)
        return 1
    server.daemon_threads = True

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    serving = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    serving.start()
    print(f"Webhook vendor listening on http://{config.host}:{config.port}/tasks", flush=True)

    while not stop.wait(0.5):
        pass
    log("stopping (tasks under way are failed as retryable: the flow tries them again, as new tasks)")
    vendor.stopping.set()
    server.shutdown()
    server.server_close()
    vendor.join(CALL_TIMEOUT_S)
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
