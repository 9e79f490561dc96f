"""The official oVirt Python SDK (ovirtsdk4) against the built-in engine, written as one would against real oVirt.

Run by test/ovirt-sdk/python-sdk.test.ts with OVIRT_URL, OVIRT_USERNAME and OVIRT_PASSWORD set to an engine it
started; every call below is the SDK's own, with no workaround. Exits non-zero on the first failed assertion.
"""

import os
import time
import unittest
import uuid
from datetime import datetime, timezone

import ovirtsdk4 as sdk
import ovirtsdk4.types as types

URL = os.environ["OVIRT_URL"]
USERNAME = os.environ["OVIRT_USERNAME"]
PASSWORD = os.environ["OVIRT_PASSWORD"]
WAIT_S = 30


def connect():
    return sdk.Connection(url=URL, username=USERNAME, password=PASSWORD, insecure=True)


def wait_until(what, check, timeout=WAIT_S):
    """The SDKs' usual wait: poll until `check()` holds, sleeping between tries."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


class Sdk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.connection = connect()
        cls.system = cls.connection.system_service()
        cls.jobs = cls.system.jobs_service()

    @classmethod
    def tearDownClass(cls):
        cls.connection.close()

    def vm_named(self, name):
        vms = self.system.vms_service().list(search="name=%s" % name)
        self.assertEqual([vm.name for vm in vms], [name])
        return vms[0]

    def job_by_correlation_id(self, correlation_id):
        jobs = self.jobs.list(search="correlation_id=%s" % correlation_id)
        return jobs[0] if len(jobs) == 1 else None


class Connect(Sdk):
    def test_connection_test_and_api_root(self):
        self.assertTrue(self.connection.test(raise_exception=True))
        api = self.system.get()
        self.assertEqual(api.product_info.name, "oVirt Engine")
        self.assertEqual(api.product_info.version.major, 4)
        self.assertGreater(api.summary.vms.total, 0)
        self.assertGreaterEqual(api.summary.vms.active, 1)
        self.assertEqual(api.summary.storage_domains.total, 1)
        self.assertIsNotNone(api.authenticated_user.id)
        self.assertIsInstance(api.time, datetime)
        self.assertIsNotNone(api.time.tzinfo)

    def test_close_revokes_the_token(self):
        other = connect()
        token = other.authenticate()
        other.system_service().get()
        other.close()  # calls the SSO revoke endpoint; an error there would raise
        revoked = sdk.Connection(url=URL, token=token, insecure=True)
        with self.assertRaises(sdk.AuthError):
            revoked.system_service().get()
        revoked.close(logout=False)

    def test_wrong_password_is_the_sdks_auth_error(self):
        wrong = sdk.Connection(url=URL, username=USERNAME, password="wrong", insecure=True)
        with self.assertRaises(sdk.AuthError):
            wrong.system_service().get()


class ExternalTasks(Sdk):
    """What ansible's ovirt_job module and vendor plug-ins do: jobs, nested steps, end, clear, search."""

    def test_job_with_nested_steps_ended(self):
        correlation_id = "sdk-" + uuid.uuid4().hex[:12]
        before = datetime.now(timezone.utc)
        job = self.jobs.add(
            types.Job(description="Replicate LUN 5 to the DR site", auto_cleared=True),
            query={"correlation_id": correlation_id},
        )
        self.assertEqual(job.status, types.JobStatus.STARTED)
        self.assertTrue(job.external)
        self.assertTrue(job.auto_cleared)
        self.assertIsNotNone(job.owner.id)
        self.assertGreaterEqual(job.start_time.timestamp(), before.timestamp() - 5)

        job_service = self.jobs.job_service(job.id)
        steps = job_service.steps_service()
        parent = steps.add(types.Step(description="Replicate volume 1", type=types.StepEnum.UNKNOWN))
        self.assertEqual(parent.type, types.StepEnum.UNKNOWN)
        self.assertEqual(parent.status, types.StepStatus.STARTED)
        self.assertEqual(parent.number, 0)
        self.assertTrue(parent.external)
        self.assertEqual(parent.job.id, job.id)
        child = steps.add(
            types.Step(
                description="Copy extents",
                type=types.StepEnum.EXECUTING,
                parent_step=types.Step(id=parent.id),
            )
        )
        self.assertEqual(child.parent_step.id, parent.id)

        steps.step_service(child.id).end(succeeded=True)
        ended = steps.step_service(child.id).get()
        self.assertEqual(ended.status, types.StepStatus.FINISHED)
        self.assertIsNotNone(ended.end_time)
        self.assertEqual(job_service.get().status, types.JobStatus.STARTED)

        # The links the SDK follows: the job's steps, a step's job.
        listed = self.connection.follow_link(job_service.get().steps)
        self.assertEqual(sorted(s.id for s in listed), sorted([parent.id, child.id]))
        self.assertEqual(self.connection.follow_link(ended.job).id, job.id)
        owner = self.connection.follow_link(job_service.get().owner)
        self.assertEqual(owner.principal, "admin")
        self.assertEqual(owner.user_name, "admin@internal-authz")

        job_service.end(succeeded=True)
        done = job_service.get()
        self.assertEqual(done.status, types.JobStatus.FINISHED)
        self.assertIsNotNone(done.end_time)
        self.assertEqual(steps.step_service(parent.id).get().status, types.StepStatus.FINISHED)

        found = self.job_by_correlation_id(correlation_id)
        self.assertIsNotNone(found)
        self.assertEqual(found.id, job.id)
        self.assertEqual(self.jobs.list(search="correlation_id=no-such-id"), [])

    def test_failed_step_fails_the_job(self):
        job = self.jobs.add(types.Job(description="Resync LUN 7"))
        self.assertFalse(job.auto_cleared)  # oVirt's default when left out
        steps = self.jobs.job_service(job.id).steps_service()
        step = steps.add(types.Step(description="Resync", type=types.StepEnum.EXECUTING))
        steps.step_service(step.id).end(succeeded=False)
        self.assertEqual(steps.step_service(step.id).get().status, types.StepStatus.FAILED)
        self.assertEqual(self.jobs.job_service(job.id).get().status, types.JobStatus.FAILED)

    def test_clear_and_force_end(self):
        job = self.jobs.add(types.Job(description="Left behind", auto_cleared=False))
        job_service = self.jobs.job_service(job.id)
        job_service.clear()
        self.assertTrue(job_service.get().auto_cleared)
        job_service.end(succeeded=False, force=True)
        self.assertEqual(job_service.get().status, types.JobStatus.FAILED)

    def test_400_and_404_are_the_sdks_errors(self):
        with self.assertRaises(sdk.Error) as blank:
            self.jobs.add(types.Job(description=""))
        self.assertEqual(blank.exception.code, 400)
        self.assertEqual(blank.exception.fault.reason, "Incomplete parameters")
        self.assertIn("description", blank.exception.fault.detail)
        self.assertNotIsInstance(blank.exception, sdk.NotFoundError)

        with self.assertRaises(sdk.NotFoundError) as missing:
            self.jobs.job_service(str(uuid.uuid4())).get()
        self.assertEqual(missing.exception.code, 404)

        job = self.jobs.add(types.Job(description="Orphan step"))
        with self.assertRaises(sdk.Error) as orphan:
            self.jobs.job_service(job.id).steps_service().add(
                types.Step(
                    description="nowhere",
                    type=types.StepEnum.EXECUTING,
                    parent_step=types.Step(id=str(uuid.uuid4())),
                )
            )
        self.assertEqual(orphan.exception.code, 400)
        self.jobs.job_service(job.id).end(succeeded=True)


class Inventory(Sdk):
    def test_vm_shut_down_and_started_with_the_sdks_waits(self):
        vm = self.vm_named("web-02")
        self.assertEqual(vm.status, types.VmStatus.UP)
        self.assertGreater(vm.memory, 0)
        self.assertGreater(vm.cpu.topology.cores, 0)
        vm_service = self.system.vms_service().vm_service(vm.id)

        correlation_id = "sdk-shutdown-" + uuid.uuid4().hex[:8]
        vm_service.shutdown(query={"correlation_id": correlation_id})
        # Wait on the job, as oVirt's users do, then on the VM.
        wait_until(
            "the shutdown job",
            lambda: (self.job_by_correlation_id(correlation_id) or types.Job()).status == types.JobStatus.FINISHED,
        )
        wait_until("web-02 down", lambda: vm_service.get().status == types.VmStatus.DOWN)

        with self.assertRaises(sdk.Error) as again:
            vm_service.shutdown()
        self.assertEqual(again.exception.code, 409)
        self.assertIn("Cannot", again.exception.fault.detail)

        vm_service.start()
        wait_until("web-02 up", lambda: vm_service.get().status == types.VmStatus.UP)
        self.assertIsNotNone(vm_service.get().start_time)

    def test_disks_and_attachments_read(self):
        vm = self.vm_named("db-01")
        attachments = self.system.vms_service().vm_service(vm.id).disk_attachments_service().list()
        self.assertEqual(len(attachments), 1)
        attachment = attachments[0]
        self.assertTrue(attachment.bootable)
        self.assertTrue(attachment.active)
        self.assertEqual(attachment.interface, types.DiskInterface.VIRTIO_SCSI)
        disk = self.connection.follow_link(attachment.disk)
        self.assertEqual(disk.status, types.DiskStatus.OK)
        self.assertGreater(disk.provisioned_size, 0)
        self.assertEqual(disk.format, types.DiskFormat.COW)
        self.assertEqual(len(disk.storage_domains), 1)
        self.assertEqual(self.system.disks_service().disk_service(disk.id).get().name, disk.name)
        by_name = self.system.disks_service().list(search="name=%s" % disk.name)
        self.assertEqual([d.id for d in by_name], [disk.id])
        snapshots = self.system.vms_service().vm_service(vm.id).snapshots_service().list()
        self.assertIn(types.SnapshotType.ACTIVE, [s.snapshot_type for s in snapshots])

    def test_disk_copied_then_attached(self):
        vm = self.vm_named("test-01")
        self.assertEqual(vm.status, types.VmStatus.DOWN)
        vm_service = self.system.vms_service().vm_service(vm.id)
        source = vm_service.disk_attachments_service().list()[0].disk
        domain = self.system.storage_domains_service().list()[0]
        name = "sdk-copy-" + uuid.uuid4().hex[:8]

        self.system.disks_service().disk_service(source.id).copy(
            storage_domain=types.StorageDomain(id=domain.id), disk=types.Disk(name=name)
        )
        copy = wait_until(
            "the copy to be ok",
            lambda: next(
                (d for d in self.system.disks_service().list(search="name=%s" % name) if d.status == types.DiskStatus.OK),
                None,
            ),
        )

        attachments = vm_service.disk_attachments_service()
        attached = attachments.add(
            types.DiskAttachment(
                disk=types.Disk(id=copy.id),
                interface=types.DiskInterface.VIRTIO_SCSI,
                bootable=False,
                active=True,
            )
        )
        self.assertEqual(attached.disk.id, copy.id)
        self.assertTrue(attached.active)
        self.assertFalse(attached.bootable)
        self.assertIn(copy.id, [a.disk.id for a in attachments.list()])
        with self.assertRaises(sdk.Error) as twice:
            attachments.add(types.DiskAttachment(disk=types.Disk(id=copy.id), interface=types.DiskInterface.VIRTIO))
        self.assertEqual(twice.exception.code, 409)

        attachments.attachment_service(copy.id).remove()
        self.assertNotIn(copy.id, [a.disk.id for a in attachments.list()])


if __name__ == "__main__":
    unittest.main(verbosity=2)
