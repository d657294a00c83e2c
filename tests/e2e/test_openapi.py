"""Checks that openapi/apigwd.yaml documents exactly apigwd's route table.

Runs the real binary (env APIGWD, default <repo>/apigwd) with --routes and compares it
with the committed spec, which must also equal a fresh scripts/gen-openapi run.
Run: python3 -m unittest tests/e2e/test_openapi.py  (or python3 tests/e2e/test_openapi.py)
"""
import difflib
import gzip
import json
import os
import subprocess
import sys
import tempfile
import unittest

import botocore
import yaml

try:
    from openapi_spec_validator import validate as validate_openapi
except ImportError:
    validate_openapi = None

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APIGWD = os.environ.get("APIGWD", os.path.join(REPO, "apigwd"))
SPEC_PATH = os.path.join(REPO, "openapi", "apigwd.yaml")
GENERATOR = os.path.join(REPO, "scripts", "gen-openapi")
MODEL_PATH = os.path.join(os.path.dirname(botocore.__file__), "data", "apigatewayv2",
                          "2018-11-29", "service-2.json.gz")
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def listing(title, rows):
    return f"{title}:\n" + "\n".join(f"  {' '.join(row)}" for row in sorted(rows))


class OpenApiTest(unittest.TestCase):
    longMessage = False  # show only the diff listings, not the raw sets

    @classmethod
    def setUpClass(cls):
        with open(SPEC_PATH, "rb") as f:
            cls.spec_bytes = f.read()
        cls.spec = yaml.safe_load(cls.spec_bytes)
        with gzip.open(MODEL_PATH, "rt", encoding="utf-8") as f:
            cls.model_ops = json.load(f)["operations"]
        cls.routes_text = None

    def route_output(self):
        """Raw `apigwd --routes` output (fails the test if the binary is unusable)."""
        if self.__class__.routes_text is None:
            if not os.access(APIGWD, os.X_OK):
                self.fail(f"{APIGWD} is not an executable; build it (make) or set APIGWD")
            result = subprocess.run([APIGWD, "--routes"], capture_output=True, text=True)
            if result.returncode != 0:
                self.fail(f"{APIGWD} --routes exited with {result.returncode}: {result.stderr}")
            self.__class__.routes_text = result.stdout
        return self.routes_text

    def route_table(self):
        """{(METHOD, template): operation} from the binary."""
        table = {}
        for line in self.route_output().splitlines():
            if line.strip():
                method, template, operation = line.split()
                table[(method.upper(), template)] = operation
        return table

    def documented(self):
        """{(METHOD, template): operationId} from the committed spec."""
        return {
            (method.upper(), template): operation.get("operationId")
            for template, item in self.spec["paths"].items()
            for method, operation in item.items() if method in HTTP_METHODS
        }

    def test_every_route_is_documented(self):
        missing = self.route_table().keys() - self.documented().keys()
        self.assertFalse(missing, listing("routes missing from openapi/apigwd.yaml", missing))

    def test_every_documented_path_is_routed(self):
        extra = self.documented().keys() - self.route_table().keys()
        self.assertFalse(extra, listing("openapi/apigwd.yaml paths not in the route table", extra))

    def test_operation_ids_match_route_table(self):
        routes, documented = self.route_table(), self.documented()
        wrong = [(*key, f"route={routes[key]}", f"yaml={documented[key]}")
                 for key in routes.keys() & documented.keys() if routes[key] != documented[key]]
        self.assertFalse(wrong, listing("operationId disagrees with the route table", wrong))

    def test_committed_spec_is_up_to_date(self):
        with tempfile.TemporaryDirectory() as tmp:
            routes_file = os.path.join(tmp, "routes.txt")
            output = os.path.join(tmp, "apigwd.yaml")
            with open(routes_file, "w", encoding="utf-8") as f:
                f.write(self.route_output())
            result = subprocess.run([sys.executable, GENERATOR, "--routes", routes_file,
                                     "--output", output], capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, f"scripts/gen-openapi failed:\n{result.stderr}")
            with open(output, "rb") as f:
                fresh = f.read()
        if fresh != self.spec_bytes:
            diff = list(difflib.unified_diff(
                self.spec_bytes.decode().splitlines(), fresh.decode().splitlines(),
                "openapi/apigwd.yaml (committed)", "scripts/gen-openapi (now)", lineterm=""))
            shown = "\n".join(diff[:80]) + (f"\n... {len(diff) - 80} more diff lines" if len(diff) > 80 else "")
            self.fail(f"openapi/apigwd.yaml is stale (botocore {botocore.__version__}); "
                      f"run scripts/gen-openapi and commit the result:\n{shown}")

    def test_success_status_matches_botocore(self):
        wrong = []
        for template, item in self.spec["paths"].items():
            for method, operation in item.items():
                model_op = self.model_ops.get(operation.get("operationId")) if method in HTTP_METHODS else None
                if model_op is None:
                    continue
                success = sorted(code for code in operation["responses"] if code.startswith("2"))
                expected = [str(model_op["http"].get("responseCode", 200))]
                if success != expected:
                    wrong.append((method.upper(), template, operation["operationId"],
                                  f"yaml={success}", f"botocore={expected}"))
        self.assertFalse(wrong, listing("success status differs from botocore responseCode", wrong))

    def test_every_response_documents_request_id(self):
        shared = self.spec["components"].get("responses", {})
        missing = []
        for template, item in self.spec["paths"].items():
            for method, operation in item.items():
                for code, response in operation.get("responses", {}).items() if method in HTTP_METHODS else []:
                    if "$ref" in response:
                        response = shared[response["$ref"].rsplit("/", 1)[1]]
                    if "x-amzn-RequestId" not in response.get("headers", {}):
                        missing.append((method.upper(), template, code))
        self.assertFalse(missing, listing("responses without header x-amzn-RequestId", missing))

    @unittest.skipIf(validate_openapi is None, "openapi-spec-validator is not installed")
    def test_spec_is_valid_openapi(self):
        validate_openapi(self.spec)

    def test_generator_rejects_undocumented_route(self):
        result = subprocess.run([sys.executable, GENERATOR, "--routes", "-", "--output", os.devnull],
                                input="GET /nowhere NoSuchOperation\n", capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("NoSuchOperation", result.stderr)


if __name__ == "__main__":
    unittest.main()
