"""The "storage array" of the example vendor: the built-in engine's storage-side hook (not part of oVirt's API),
through which a simulated array places cloned images into a storage domain as unregistered disks.

The same endpoints, Basic auth and retry rules as vendor-demo/storage-array.ts. Only the standard library (urllib);
the calls block, so the activities run them in a thread (see vendor.py).
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from typing import Any

CALL_ATTEMPTS = 5
RETRY_PAUSE_S = 0.5
CALL_TIMEOUT_S = 30.0


class StorageArrayError(Exception):
    """A call the array answered with an error status (0: no answer at all)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _transient(err: StorageArrayError) -> bool:
    # A dropped connection or a busy array may get better; anything else (400, 401, 403, ...) will not.
    return err.status == 0 or err.status >= 500 or err.status in (409, 429)


class StorageArray:
    def __init__(self, engine_url: str, user: str, password: str) -> None:
        self.engine_url = engine_url.rstrip("/")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._auth = f"Basic {token}"

    @staticmethod
    def _image_path(sd: str, image_id: str) -> str:
        return f"/builtin/storage-array/domains/{sd}/images/{image_id}"

    def _call_once(self, method: str, path: str, body: Any = None) -> int:
        """One HTTP call; returns the status (a 404 too), raises StorageArrayError on any other error."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": self._auth, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.engine_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=CALL_TIMEOUT_S) as res:
                res.read()
                return int(res.status)
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return 404
            text = err.read().decode(errors="replace")[:200]
            raise StorageArrayError(f"{method} {path} -> {err.code} {text}", err.code) from None
        except (urllib.error.URLError, OSError) as err:  # refused, reset, timed out
            raise StorageArrayError(f"{method} {path} -> no answer ({err})", 0) from None

    def call(self, method: str, path: str, body: Any = None) -> int:
        """Every call is idempotent (the image id is chosen by the flow), so a dropped connection or a busy array
        (5xx, 409, 429) is tried again a few times, half a second apart, before the activity fails and Temporal
        retries it."""
        attempt = 1
        while True:
            try:
                return self._call_once(method, path, body)
            except StorageArrayError as err:
                if not _transient(err) or attempt >= CALL_ATTEMPTS:
                    raise
            time.sleep(RETRY_PAUSE_S)
            attempt += 1

    def put_image(self, sd: str, image_id: str, image: dict[str, Any]) -> None:
        """Places an unregistered image (idempotent: the same id again is fine)."""
        if self.call("PUT", self._image_path(sd, image_id), image) == 404:
            raise StorageArrayError(f"Storage domain {sd} not found", 404)

    def update_metadata(self, sd: str, image_id: str, metadata: dict[str, str]) -> None:
        if self.call("PATCH", f"{self._image_path(sd, image_id)}/metadata", metadata) == 404:
            raise StorageArrayError(f"Image {image_id} not found in storage domain {sd}", 404)

    def delete_image(self, sd: str, image_id: str) -> None:
        """Deletes the image; an image that is gone already is fine."""
        self.call("DELETE", self._image_path(sd, image_id))
