#!/usr/bin/env python3
"""A hybridflow storage vendor in Python: a Temporal worker serving the vendor contract (common/vendor-contract.ts)
on its own task queue, as the TypeScript demo vendor acme-storage (vendor-demo/) does.

It simulates an array: a clone takes HF_VENDOR_CLONE_MS while it heartbeats its progress and sub-steps, then it
places the cloned image into the storage domain through the built-in engine's storage-array hook. See README.md
beside this file for the configuration and the contract.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Awaitable, Callable, Literal, TypedDict, TypeVar

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from storage_array import CALL_TIMEOUT_S, StorageArray, StorageArrayError

# --- The contract's shapes (common/vendor-contract.ts), as JSON objects -----------------------------------------


class VendorSubStep(TypedDict):
    key: str
    description: str
    status: Literal["running", "finished", "failed"]


class VendorProgress(TypedDict, total=False):
    """Heartbeat details of a vendor activity."""

    progress: int  # 0..100
    subSteps: list[VendorSubStep]


class _SourceDiskRequired(TypedDict):
    id: str
    name: str
    sizeBytes: int


class SourceDisk(_SourceDiskRequired, total=False):
    storageDomainId: str


class CheckCloneableInput(TypedDict):
    vmId: str
    vmName: str
    disks: list[SourceDisk]


class _VolumeRequired(TypedDict):
    diskId: str
    volume: str
    cloneable: bool


class Volume(_VolumeRequired, total=False):
    reason: str


class CheckCloneableResult(TypedDict):
    vendor: str
    volumes: list[Volume]


class CloneDiskInput(TypedDict):
    sourceDisk: SourceDisk
    storageDomainId: str
    imageId: str
    name: str


class CloneDiskResult(TypedDict):
    imageId: str
    storageDomainId: str
    subSteps: list[VendorSubStep]


class UpdateDiskMetadataInput(TypedDict):
    imageId: str
    storageDomainId: str
    alias: str
    description: str


class DeleteImageInput(TypedDict):
    imageId: str
    storageDomainId: str


# --- Configuration ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    temporal_address: str
    namespace: str
    task_queue: str
    engine_url: str
    user: str
    password: str
    clone_ms: int

    @property
    def vendor_id(self) -> str:
        """The vendor id is the task queue's last part: `<main task queue>.vendor.<vendor id>`."""
        return self.task_queue.rsplit(".vendor.", 1)[-1]


def load_config(env: dict[str, str] | None = None) -> Config:
    env = dict(os.environ) if env is None else env

    def fail(message: str) -> None:
        print(f"python-vendor: {message}", file=sys.stderr, flush=True)
        sys.exit(1)

    password = env.get("OVIRT_PASSWORD", "")
    if not password:
        fail("OVIRT_PASSWORD is unset (the built-in engine's password, e.g. from .data/engine-password)")
    task_queue = env.get("HF_VENDOR_TASK_QUEUE", "hybridflow.vendor.python-storage")
    if ".vendor." not in task_queue:
        fail(f"HF_VENDOR_TASK_QUEUE must be <main task queue>.vendor.<vendor id>, got {task_queue!r}")
    clone_ms = env.get("HF_VENDOR_CLONE_MS", "4000")
    if not clone_ms.isdigit():
        fail(f"HF_VENDOR_CLONE_MS must be a whole number of milliseconds, got {clone_ms!r}")
    return Config(
        temporal_address=env.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
        namespace=env.get("TEMPORAL_NAMESPACE", "default"),
        task_queue=task_queue,
        engine_url=env.get("HF_ENGINE_URL", "http://127.0.0.1:8070"),
        user=env.get("OVIRT_USER", "admin@internal"),
        password=password,
        clone_ms=int(clone_ms),
    )


# --- The activities -----------------------------------------------------------------------------------------------

# Heartbeat at least this often while working; the worker sends them on at most every second (see main()).
TICK_S = 0.5

T = TypeVar("T")


def log(line: str) -> None:
    print(f"python-vendor: {line}", flush=True)


def _round(x: float) -> int:
    """Rounds halves up, as JavaScript's Math.round (Python's round() rounds halves to even)."""
    return int(x + 0.5)


def _why_cancelled() -> str:
    details = activity.cancellation_details()
    if details is None:
        return "no reason given"
    if details.worker_shutdown:
        return "the worker is stopping"
    if details.not_found:
        return "the flow has moved on or ended"
    if details.timed_out:
        return "timed out"
    return "by the flow" if details.cancel_requested else "other reason"


def _final_if_not_found(err: StorageArrayError) -> Exception:
    # A 404 from the array (no such domain or image) will not get better with retries.
    if err.status == 404:
        return ApplicationError(str(err), type="VendorNotFound", non_retryable=True)
    return err


async def _heartbeating(call: Callable[[], T], details: Callable[[], VendorProgress | None]) -> T:
    """Runs a blocking call (HTTP) in a thread, heartbeating meanwhile, so a slow array does not look dead and a
    cancel is still seen."""
    task: asyncio.Future[T] = asyncio.ensure_future(asyncio.to_thread(call))
    while True:
        try:
            done, _ = await asyncio.wait({task}, timeout=TICK_S)
        except asyncio.CancelledError:
            # Let a call under way land before the flow's undo runs (a PUT after the undo's DELETE would leave an
            # image behind); bounded, as every call has a timeout.
            await asyncio.wait({task}, timeout=CALL_TIMEOUT_S)
            raise
        if task in done:
            return task.result()
        current = details()
        if current is None:
            activity.heartbeat()
        else:
            activity.heartbeat(current)


async def _sleep_heartbeating(seconds: float, details: Callable[[float], VendorProgress]) -> None:
    """Sleeps, heartbeating `details(fraction done)` at least every TICK_S. Raises CancelledError once the flow
    cancelled the activity (the SDK delivers a cancel in answer to a heartbeat)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while True:
        elapsed = loop.time() - start
        activity.heartbeat(details(min(1.0, elapsed / seconds) if seconds > 0 else 1.0))
        if elapsed >= seconds:
            return
        await asyncio.sleep(min(TICK_S, seconds - elapsed))


class PythonVendor:
    def __init__(self, config: Config, array: StorageArray) -> None:
        self.vendor_id = config.vendor_id
        self.clone_s = config.clone_ms / 1000
        self.array = array

    @activity.defn(name="checkCloneable")
    async def check_cloneable(self, input: CheckCloneableInput) -> CheckCloneableResult:
        """Checks that the array holding these disks can clone them (rapid-clone preflight)."""
        disks = input["disks"]
        volumes: list[Volume] = []
        for i, disk in enumerate(disks):

            def at(fraction: float, done: int = i) -> VendorProgress:
                return {"progress": _round((done + fraction) / len(disks) * 100)}

            await _sleep_heartbeating(self.clone_s / 4 / len(disks), at)
            volumes.append({"diskId": disk["id"], "volume": f"py-vol-{disk['id'][:8]}", "cloneable": True})
        return {"vendor": self.vendor_id, "volumes": volumes}

    @activity.defn(name="cloneDisk")
    async def clone_disk(self, input: CloneDiskInput) -> CloneDiskResult:
        """Clones a disk on the array into the storage domain, as an unregistered image with the given id."""
        source = input["sourceDisk"]
        sub_steps: list[VendorSubStep] = []
        progress = 0

        def details() -> VendorProgress:
            return {"progress": progress, "subSteps": [s.copy() for s in sub_steps]}

        async def phase(key: str, description: str, start: int, end: int, seconds: float) -> None:
            nonlocal progress
            step: VendorSubStep = {"key": key, "description": description, "status": "running"}
            sub_steps.append(step)

            def at(fraction: float) -> VendorProgress:
                nonlocal progress
                progress = _round(start + (end - start) * fraction)
                return details()

            try:
                await _sleep_heartbeating(seconds, at)
            except BaseException:
                step["status"] = "failed"
                raise
            step["status"] = "finished"
            progress = end
            activity.heartbeat(details())

        attempt = activity.info().attempt
        log(f"cloneDisk {source['name']} as image {input['imageId']} (attempt {attempt}): started")
        try:
            await phase("snapshot", f"Snapshot volume of {source['name']} on the array", 0, 10, self.clone_s * 0.1)
            await phase(
                "copy",
                f"Copy {_round(source['sizeBytes'] / 2**30)} GiB to a new volume",
                10,
                90,
                self.clone_s * 0.8,
            )
            await phase("export", "Export the new volume into the storage domain", 90, 100, self.clone_s * 0.1)
            image = {
                "name": input["name"],
                "provisioned_size": source["sizeBytes"],
                "source_disk_id": source["id"],
                "description": f"Cloned by {self.vendor_id} from {source['name']}",
            }
            try:
                await _heartbeating(
                    lambda: self.array.put_image(input["storageDomainId"], input["imageId"], image), details
                )
            except StorageArrayError as err:
                raise _final_if_not_found(err) from None
        except asyncio.CancelledError:
            log(f"cloneDisk {source['name']} as image {input['imageId']}: cancelled ({_why_cancelled()}), stopped")
            raise
        log(f"cloneDisk {source['name']} as image {input['imageId']}: done")
        return {"imageId": input["imageId"], "storageDomainId": input["storageDomainId"], "subSteps": sub_steps}

    @activity.defn(name="updateDiskMetadata")
    async def update_disk_metadata(self, input: UpdateDiskMetadataInput) -> None:
        """Writes the image's metadata in the storage domain (what oVirt shows once the disk is registered)."""
        metadata = {"alias": input["alias"], "description": input["description"]}
        try:
            await _heartbeating(
                lambda: self.array.update_metadata(input["storageDomainId"], input["imageId"], metadata),
                lambda: None,
            )
        except StorageArrayError as err:
            raise _final_if_not_found(err) from None
        log(f"updateDiskMetadata of image {input['imageId']}: done")

    @activity.defn(name="deleteImage")
    async def delete_image(self, input: DeleteImageInput) -> None:
        """Undo of cloneDisk: deletes the image if it is still unregistered; succeeds if it is gone already."""
        await _heartbeating(
            lambda: self.array.delete_image(input["storageDomainId"], input["imageId"]), lambda: None
        )
        log(f"deleteImage {input['imageId']}: done")

    def activities(self) -> list[Callable[..., Awaitable[Any]]]:
        return [self.check_cloneable, self.clone_disk, self.update_disk_metadata, self.delete_image]


# --- The worker ---------------------------------------------------------------------------------------------------


async def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="python-vendor: %(levelname)s %(name)s: %(message)s")
    config = load_config()
    try:
        client = await Client.connect(config.temporal_address, namespace=config.namespace)
    except Exception as err:  # noqa: BLE001 - reported, then exit 1
        print(f"python-vendor: cannot connect to Temporal at {config.temporal_address}: {err}", file=sys.stderr)
        return 1
    vendor = PythonVendor(config, StorageArray(config.engine_url, config.user, config.password))
    worker = Worker(
        client,
        task_queue=config.task_queue,
        activities=vendor.activities(),
        # Heartbeats carry the progress that admins watch; send them at least every second instead of the SDK's
        # default throttle (0.8 x the heartbeat timeout), or a clone would look frozen until it ends.
        max_heartbeat_throttle_interval=timedelta(seconds=1),
        default_heartbeat_throttle_interval=timedelta(seconds=1),
    )

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    running = asyncio.create_task(worker.run())
    # The worker polls once it has validated the namespace and started.
    while not worker.is_running and not running.done():
        await asyncio.sleep(0.05)
    if running.done():
        running.result()  # raises why it could not start
    print(f"Python vendor worker polling {config.task_queue}", flush=True)

    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if stop.is_set():
        log("stopping (running activities are cancelled)")
        await worker.shutdown()
    stopping.cancel()
    await running
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
