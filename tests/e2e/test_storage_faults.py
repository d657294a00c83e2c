"""Storage faults: a full disk and a read-only database file, with the server running as root.

chmod does not stop root, so the faults are made with what does:
  - full disk: the database lives on a small tmpfs (`mount -t tmpfs -o size=4m`), filled up
    with a filler file and freed again by deleting it;
  - read-only file: `chattr +i` on the database file and its WAL (immutable: even root's
    writes fail with EPERM, through descriptors already open too); `chattr -i` undoes it.
Each test is skipped (with the reason) where the technique is not available.

What is proven: writes fail with 503 ServiceUnavailableException, an AWS error body with a
message, and a line in the server log; nothing of a failed write is stored (a large import
that runs out of space midway leaves no trace); reads keep working throughout; once space
returns (or the file is writable again) writes succeed without a restart; the database passes
`PRAGMA integrity_check`. At start-up: on a full disk the server exits non-zero with a log
line (it cannot set up its WAL files) and starts once space returns; on a read-only file it
serves reads and refuses writes ("cannot be written") until restarted on a writable file.
"""
import errno
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Server, sqlite_only


def run(*cmd):
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=60)


def fill(directory):
    """Fills the filesystem of directory up to the last byte; returns the filler's path."""
    path = os.path.join(directory, "filler")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    return path


def openapi(n):
    """An OpenAPI document with n routes: a large write."""
    paths = {"/r%04d" % i: {"get": {"x-amazon-apigateway-integration": {
        "type": "HTTP_PROXY", "httpMethod": "GET", "uri": "https://example.com/%d" % i,
        "payloadFormatVersion": "1.0"}}} for i in range(n)}
    return json.dumps({"openapi": "3.0.1", "info": {"title": "big-import", "version": "1"},
                       "paths": paths})


class StorageCase(unittest.TestCase):

    def assertUnavailable(self, answer, what):
        status, headers, body = answer
        self.assertEqual(status, 503, "%s: %r" % (what, body))
        self.assertEqual(headers.get("x-amzn-errortype"), "ServiceUnavailableException", what)
        self.assertIsInstance(body, dict, what)
        self.assertTrue(body.get("message"), what)
        return body["message"]

    def api_names(self, server):
        status, _, body = server.http("GET", "/v2/apis?maxResults=500")
        self.assertEqual(status, 200, body)
        return sorted(a["name"] for a in body["items"])

    def integrity(self, db):
        p = run("sqlite3", db, "PRAGMA integrity_check")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "ok")

    def log_of(self, server):
        with open(server.log_path, errors="replace") as f:
            return f.read()


@sqlite_only("the SQLite file on a tmpfs that fills up")
class FullDiskTest(StorageCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="apigwd-full-")
        self.mnt = os.path.join(self.dir, "mnt")
        os.mkdir(self.mnt)
        p = run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", self.mnt)
        if p.returncode != 0:
            shutil.rmtree(self.dir)
            self.skipTest("cannot mount a tmpfs here: " + p.stderr.strip())
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        if run("umount", self.mnt).returncode != 0:
            run("umount", "-l", self.mnt)
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.server:
            shutil.rmtree(self.server.tmp, ignore_errors=True)

    def test_full_disk(self):
        db = os.path.join(self.mnt, "apigwd.db")
        s = self.server = Server(db=db).start()
        status, _, api = s.http("POST", "/v2/apis", {"name": "before", "protocolType": "HTTP"})
        self.assertEqual(status, 201, api)
        status, _, integ = s.http("POST", "/v2/apis/%s/integrations" % api["apiId"],
                                  {"integrationType": "HTTP_PROXY", "integrationMethod": "GET",
                                   "integrationUri": "https://example.com"})
        self.assertEqual(status, 201, integ)
        ipath = "/v2/apis/%s/integrations/%s" % (api["apiId"], integ["integrationId"])

        filler = fill(self.mnt)
        # Every kind of write fails cleanly.
        msg = self.assertUnavailable(
            s.http("POST", "/v2/apis", {"name": "during", "protocolType": "HTTP"}), "create")
        self.assertIn("full", msg.lower())
        self.assertUnavailable(s.http("PATCH", ipath, {"description": "during"}), "update")
        self.assertUnavailable(s.http("DELETE", ipath), "delete")
        self.assertUnavailable(s.http("PUT", "/v2/apis", {"body": openapi(300)}), "import")
        self.assertIn("apigwd: database full", self.log_of(s))
        # Reads keep working, and show none of the failed writes.
        self.assertEqual(self.api_names(s), ["before"])
        status, _, got = s.http("GET", ipath)
        self.assertEqual((status, got), (200, integ))

        # Space returns: writes work again, no restart.
        os.unlink(filler)
        status, _, during = s.http("POST", "/v2/apis", {"name": "after", "protocolType": "HTTP"})
        self.assertEqual(status, 201, during)
        status, _, got = s.http("PATCH", ipath, {"description": "after"})
        self.assertEqual((status, got.get("description")), (200, "after"))
        self.assertEqual(self.api_names(s), ["after", "before"])

        # A large write that runs out of space midway leaves nothing behind.
        free = os.statvfs(self.mnt).f_bavail * os.statvfs(self.mnt).f_frsize
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, b"\0" * max(0, free - 48 * 1024))  # leave ~48 kB: too little for the import
        os.close(fd)
        self.assertUnavailable(s.http("PUT", "/v2/apis", {"body": openapi(300)}), "large import")
        self.assertEqual(self.api_names(s), ["after", "before"])
        os.unlink(filler)
        status, _, big = s.http("PUT", "/v2/apis", {"body": openapi(300)})
        self.assertEqual(status, 201, big)
        status, _, routes = s.http("GET", "/v2/apis/%s/routes?maxResults=500" % big["apiId"])
        self.assertEqual((status, len(routes["items"])), (200, 300))

        self.assertEqual(s.stop(), 0)
        self.integrity(db)

    def test_start_on_full_disk(self):
        """A server started when the disk is already full cannot set up its WAL files: it
        exits at once, non-zero, saying why in its log; the data is intact and it starts
        once space returns."""
        db = os.path.join(self.mnt, "apigwd.db")
        s = self.server = Server(db=db).start()
        status, _, api = s.http("POST", "/v2/apis", {"name": "kept", "protocolType": "HTTP"})
        self.assertEqual(status, 201, api)
        self.assertEqual(s.stop(), 0)
        filler = fill(self.mnt)
        with self.assertRaises(RuntimeError):
            s.start()
        rc = s.proc.wait(10)
        s.stop()
        self.assertNotEqual(rc, 0)
        self.assertRegex(self.log_of(s).splitlines()[-1], r"^apigwd: .*(error|full|space)")
        os.unlink(filler)
        s.start()
        self.assertEqual(self.api_names(s), ["kept"])
        status, _, body = s.http("POST", "/v2/apis", {"name": "later", "protocolType": "HTTP"})
        self.assertEqual(status, 201, body)
        self.assertEqual(self.api_names(s), ["kept", "later"])
        self.assertEqual(s.stop(), 0)
        self.integrity(db)


@sqlite_only("the SQLite file made immutable (chattr +i) under the server")
class ReadOnlyTest(StorageCase):

    def setUp(self):
        self.server = Server()
        probe = os.path.join(self.server.tmp, "probe")
        open(probe, "w").close()
        p = run("chattr", "+i", probe)
        run("chattr", "-i", probe)
        os.unlink(probe)
        if p.returncode != 0:
            shutil.rmtree(self.server.tmp)
            self.skipTest("chattr +i does not work in %s: %s" % (self.server.tmp,
                                                              p.stderr.strip()))
        self.files = [self.server.db, self.server.db + "-wal"]

    def tearDown(self):
        run("chattr", "-i", *[f for f in self.files if os.path.exists(f)])
        self.server.stop()
        shutil.rmtree(self.server.tmp, ignore_errors=True)

    def protect(self, on):
        p = run("chattr", "+i" if on else "-i", *self.files)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_read_only_while_running(self):
        s = self.server.start()
        status, _, api = s.http("POST", "/v2/apis", {"name": "before", "protocolType": "HTTP"})
        self.assertEqual(status, 201, api)
        apath = "/v2/apis/" + api["apiId"]

        self.protect(True)
        self.assertUnavailable(
            s.http("POST", "/v2/apis", {"name": "during", "protocolType": "HTTP"}), "create")
        self.assertUnavailable(s.http("PATCH", apath, {"description": "during"}), "update")
        self.assertUnavailable(s.http("DELETE", apath), "delete")
        self.assertRegex(self.log_of(s), r"apigwd: database (I/O error|not writable|full)")
        status, _, got = s.http("GET", apath)
        self.assertEqual((status, got), (200, api))
        self.assertEqual(self.api_names(s), ["before"])

        self.protect(False)
        status, _, body = s.http("POST", "/v2/apis", {"name": "after", "protocolType": "HTTP"})
        self.assertEqual(status, 201, body)
        status, _, got = s.http("PATCH", apath, {"description": "after"})
        self.assertEqual((status, got.get("description")), (200, "after"))
        self.assertEqual(self.api_names(s), ["after", "before"])
        self.assertEqual(s.stop(), 0)
        self.integrity(self.server.db)

    def test_read_only_message_names_the_cause(self):
        """A file that cannot be written (EPERM/EROFS on the WAL write) is reported as such,
        not as a full disk: db/db.c tells them apart by the system errno."""
        s = self.server.start()
        self.protect(True)
        msg = self.assertUnavailable(
            s.http("POST", "/v2/apis", {"name": "during", "protocolType": "HTTP"}), "create")
        self.protect(False)
        self.assertNotIn("full", msg.lower())
        self.assertIn("cannot be written", msg)

    def test_start_on_read_only_file(self):
        """A server started on a file that cannot be written serves reads and refuses writes
        with 503 ("cannot be written"); once the file is writable, a restart takes writes."""
        s = self.server.start()
        status, _, api = s.http("POST", "/v2/apis", {"name": "kept", "protocolType": "HTTP"})
        self.assertEqual(status, 201, api)
        self.assertEqual(s.stop(), 0)
        self.files = [f for f in (self.server.db, self.server.db + "-wal") if os.path.exists(f)]
        self.protect(True)
        s.start()
        self.assertEqual(self.api_names(s), ["kept"])
        msg = self.assertUnavailable(
            s.http("POST", "/v2/apis", {"name": "refused", "protocolType": "HTTP"}), "create")
        self.assertIn("cannot be written", msg)
        self.assertIn("apigwd: database not writable", self.log_of(s))
        self.protect(False)
        s.restart()
        status, _, body = s.http("POST", "/v2/apis", {"name": "later", "protocolType": "HTTP"})
        self.assertEqual(status, 201, body)
        self.assertEqual(s.stop(), 0)
        self.integrity(self.server.db)


if __name__ == "__main__":
    unittest.main()
