"""ImportApi, ReimportApi and ExportApi for HTTP APIs (spec §10) through boto3 and the AWS CLI.

OpenAPI 3.0 documents in YAML and JSON (tests/e2e/data/import_*) are imported, read back
through GetApi/GetRoutes/GetIntegrations, exported again as JSON and YAML, re-imported and
compared; reimport replaces routes and integrations under the same API id; warnings either
land in the API's `warnings` or, with failOnWarnings, refuse the import and change nothing.
"""
import json
import os
import subprocess
import tempfile
import unittest

import yaml

from harness import CRED_ENV, ServerTestCase

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

PETSTORE_ROUTES = {"GET /pets", "HEAD /pets", "GET /pets/{petId}", "ANY /{proxy+}", "$default"}


def data(name):
    with open(os.path.join(DATA, name)) as f:
        return f.read()


def strip_ids(integration):
    return {k: v for k, v in integration.items() if k != "integrationId"}


class ImportCase(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = cls.server.client()

    # ---- reading the stored API back on the wire (camelCase, every member) ----

    def routes(self, api):
        """{routeKey: route} as stored."""
        items = self.wire("/v2/apis/%s/routes" % api)["items"]
        return {r["routeKey"]: r for r in items}

    def integrations(self, api):
        """{integrationId: integration} as stored."""
        items = self.wire("/v2/apis/%s/integrations" % api)["items"]
        return {i["integrationId"]: i for i in items}

    def shape(self, api):
        """The API's routes with their integrations inlined (ids dropped): what an import
        made, comparable across APIs."""
        igs = self.integrations(api)
        out = {}
        for key, r in self.routes(api).items():
            target = r.get("target", "")
            ig = igs[target.split("/", 1)[1]] if target else None
            out[key] = {"operationName": r.get("operationName"),
                        "integration": strip_ids(ig) if ig else None}
        return out

    def api_count(self):
        return len(self.c.get_apis()["Items"])

    def do_import(self, body, **kw):
        return self.c.import_api(Body=body, **kw)

    def export(self, api, fmt="JSON", **kw):
        out = self.c.export_api(ApiId=api, Specification="OAS30", OutputType=fmt, **kw)
        text = out["body"].read().decode()
        return json.loads(text) if fmt == "JSON" else yaml.safe_load(text), text

    def assertBad(self, call, message=None):
        return self.assertAwsError(call, "BadRequestException", 400, message)


class ImportYamlTest(ImportCase):
    """The hand-written YAML petstore, end to end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.out = cls.c.import_api(Body=data("import_petstore.yaml"))
        cls.api = cls.out["ApiId"]

    def test_api_members(self):
        self.assertEqual(self.out["ResponseMetadata"]["HTTPStatusCode"], 201)
        api = self.wire("/v2/apis/" + self.api)
        self.assertRegex(self.api, r"^[a-z0-9]{10}$")
        self.assertEqual(api["name"], "petstore-yaml")
        self.assertEqual(api["description"], "Pets, imported from YAML")
        self.assertEqual(api["version"], "1.0")  # unquoted 1.0 in YAML stays "1.0"
        self.assertEqual(api["protocolType"], "HTTP")
        self.assertEqual(api["routeSelectionExpression"], "$request.method $request.path")
        self.assertEqual(api["corsConfiguration"], {
            "allowCredentials": True, "allowHeaders": ["content-type"],
            "allowMethods": ["GET", "POST"], "allowOrigins": ["https://www.example.com"],
            "exposeHeaders": ["date"], "maxAge": 300})
        self.assertNotIn("warnings", api)
        self.assertEqual(self.out["Name"], "petstore-yaml")

    def test_routes(self):
        routes = self.routes(self.api)
        self.assertEqual(set(routes), PETSTORE_ROUTES)
        for key, r in routes.items():
            with self.subTest(route=key):
                self.assertEqual(r["authorizationScopes"], [])
                self.assertEqual(r["requestParameters"], {})
                self.assertEqual(r["authorizationType"], "NONE")
                self.assertEqual(r["apiKeyRequired"], False)
                self.assertRegex(r["target"], r"^integrations/[a-z0-9]{7}$")
                self.assertNotIn("apiGatewayManaged", r)
        self.assertEqual(routes["GET /pets"]["operationName"], "listPets")
        self.assertNotIn("operationName", routes["HEAD /pets"])

    def test_identical_integrations_are_shared(self):
        routes, igs = self.routes(self.api), self.integrations(self.api)
        self.assertEqual(len(igs), 4)
        # GET and HEAD /pets write the same integration (type, connectionType and the map
        # values spelled differently): one integration serves both.
        self.assertEqual(routes["GET /pets"]["target"], routes["HEAD /pets"]["target"])
        targets = {r["target"] for r in routes.values()}
        self.assertEqual(targets, {"integrations/" + i for i in igs})

    def test_integration_members(self):
        routes, igs = self.routes(self.api), self.integrations(self.api)

        def of(key):
            return strip_ids(igs[routes[key]["target"].split("/")[1]])

        self.assertEqual(of("GET /pets"), {
            "connectionType": "INTERNET", "integrationMethod": "GET",
            "integrationType": "HTTP_PROXY", "integrationUri": "http://petstore.example.com/pets",
            "payloadFormatVersion": "1.0",
            "requestParameters": {"append:querystring.pageNo": "1"},
            "responseParameters": {"200": {"overwrite:header.Cache-Control": "max-age=60"}},
            "timeoutInMillis": 12000})
        self.assertEqual(of("GET /pets/{petId}"), {
            "connectionType": "INTERNET", "integrationMethod": "GET",
            "integrationType": "HTTP_PROXY",
            "integrationUri": "http://petstore.example.com/pets/{petId}",
            "payloadFormatVersion": "1.0", "timeoutInMillis": 30000})
        self.assertEqual(of("ANY /{proxy+}"), {
            "connectionType": "INTERNET",
            "credentialsArn": "arn:aws:iam::123456789012:role/apigw-invoke",
            "integrationMethod": "POST", "integrationType": "AWS_PROXY",
            "integrationUri": "arn:aws:lambda:us-east-1:123456789012:function:pets",
            "payloadFormatVersion": "2.0", "timeoutInMillis": 30000})
        self.assertEqual(of("$default"), {
            "connectionType": "INTERNET", "integrationMethod": "ANY",
            "integrationType": "HTTP_PROXY", "integrationUri": "https://fallback.example.com",
            "payloadFormatVersion": "1.0", "timeoutInMillis": 30000})

    def test_export_json(self):
        doc, text = self.export(self.api, "JSON")
        self.assertEqual(doc["openapi"], "3.0.1")
        self.assertEqual(doc["info"], {"title": "petstore-yaml",
                                       "description": "Pets, imported from YAML",
                                       "version": "1.0"})
        self.assertEqual(doc["servers"][0]["url"],
                         "https://%s.execute-api.us-east-1.amazonaws.com/{basePath}" % self.api)
        self.assertEqual(set(doc["paths"]), {"/pets", "/pets/{petId}", "/{proxy+}", "/$default"})
        pets = doc["paths"]["/pets"]
        self.assertEqual(set(pets), {"get", "head"})
        self.assertEqual(pets["get"]["operationId"], "listPets")
        self.assertEqual(pets["get"]["responses"],
                         {"default": {"description": "Default response for GET /pets"}})
        self.assertEqual(pets["get"]["x-amazon-apigateway-integration"], {
            "requestParameters": {"append:querystring.pageNo": "1"},
            "responseParameters": {"200": {"overwrite:header.Cache-Control": "max-age=60"}},
            "payloadFormatVersion": "1.0", "type": "http_proxy", "httpMethod": "GET",
            "uri": "http://petstore.example.com/pets", "connectionType": "INTERNET",
            "timeoutInMillis": 12000})
        self.assertEqual(doc["paths"]["/pets/{petId}"]["parameters"], [{
            "name": "petId", "in": "path", "description": "Generated path parameter for petId",
            "required": True, "schema": {"type": "string"}}])
        proxy = doc["paths"]["/{proxy+}"]["x-amazon-apigateway-any-method"]
        self.assertEqual(proxy["x-amazon-apigateway-integration"]["type"], "aws_proxy")
        self.assertEqual(proxy["x-amazon-apigateway-integration"]["credentials"],
                         "arn:aws:iam::123456789012:role/apigw-invoke")
        self.assertNotIn("timeoutInMillis", proxy["x-amazon-apigateway-integration"])
        dflt = doc["paths"]["/$default"]["x-amazon-apigateway-any-method"]
        self.assertIs(dflt["isDefaultRoute"], True)
        self.assertEqual(doc["x-amazon-apigateway-cors"]["allowOrigins"],
                         ["https://www.example.com"])
        self.assertEqual(doc["x-amazon-apigateway-importexport-version"], "1.0")
        self.assertIn("\n  ", text)  # written for people: indented

    def test_export_yaml_equals_json(self):
        as_json, _ = self.export(self.api, "JSON")
        as_yaml, text = self.export(self.api, "YAML")
        for fmt, ctype in (("JSON", "application/json"), ("YAML", "application/yaml")):
            status, hdrs, _ = self.server.http(
                "GET", "/v2/apis/%s/exports/OAS30?outputType=%s" % (self.api, fmt))
            self.assertEqual((status, hdrs["content-type"]), (200, ctype))
        self.assertEqual(as_yaml, as_json)
        self.assertIn('openapi: "3.0.1"', text)
        self.assertIn('"200":', text)  # a status code key must stay a string key

    def test_export_without_extensions(self):
        doc, _ = self.export(self.api, "JSON", IncludeExtensions=False)
        self.assertNotIn("x-amazon-apigateway-cors", doc)
        self.assertNotIn("x-amazon-apigateway-importexport-version", doc)
        for path, item in doc["paths"].items():
            for method, op in item.items():
                if method != "parameters":
                    self.assertNotIn("x-amazon-apigateway-integration", op)
                    self.assertNotIn("isDefaultRoute", op)
        self.assertEqual(set(doc["paths"]), {"/pets", "/pets/{petId}", "/{proxy+}", "/$default"})

    def test_round_trip_through_export(self):
        """Export (JSON and YAML) and import into new APIs: the same routes, integrations and
        CORS, and the second export equals the first."""
        first, _ = self.export(self.api, "JSON")
        for fmt in ("JSON", "YAML"):
            with self.subTest(format=fmt):
                _, text = self.export(self.api, fmt)
                copy = self.do_import(text)["ApiId"]
                self.assertNotEqual(copy, self.api)
                self.assertEqual(self.shape(copy), self.shape(self.api))
                self.assertEqual(self.c.get_api(ApiId=copy)["CorsConfiguration"],
                                 self.c.get_api(ApiId=self.api)["CorsConfiguration"])
                again, _ = self.export(copy, "JSON")
                first_servers, again_servers = first.pop("servers"), again.pop("servers")
                self.assertNotEqual(first_servers, again_servers)  # another apiId
                self.assertEqual(again, first)
                first["servers"] = first_servers

    def test_cli_import_and_export(self):
        with tempfile.TemporaryDirectory(prefix="apigwd-import-") as tmp:
            src = os.path.join(DATA, "import_petstore.yaml")
            out = self.server.aws("import-api", "--body", "file://" + src)
            self.assertEqual(out["Name"], "petstore-yaml")
            self.assertEqual(out["Version"], "1.0")
            target = os.path.join(tmp, "exported.yaml")
            env = dict(os.environ, **CRED_ENV)
            p = subprocess.run(
                ["aws", "apigatewayv2", "--endpoint-url", self.server.url, "--region",
                 "us-east-1", "export-api", "--api-id", out["ApiId"], "--output-type", "YAML",
                 "--specification", "OAS30", target],
                capture_output=True, text=True, env=env, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(target) as f:
                exported = yaml.safe_load(f)
            self.assertEqual(exported["info"]["title"], "petstore-yaml")
            self.assertEqual(set(exported["paths"]),
                             {"/pets", "/pets/{petId}", "/{proxy+}", "/$default"})


class ImportJsonTest(ImportCase):

    def test_components_integrations_and_numbers(self):
        """AWS's own example: integrations in components referenced by $ref (two routes, one
        integration), payloadFormatVersion written as the number 1.0, REST-only members
        (passthroughBehavior) ignored without a warning."""
        out = self.do_import(data("import_integrations.json"))
        api = out["ApiId"]
        self.assertEqual(out["Version"], "2024-01-01")
        self.assertEqual(out["Description"], "An API that reuses integrations")
        self.assertNotIn("Warnings", out)
        routes, igs = self.routes(api), self.integrations(api)
        self.assertEqual(set(routes), {"GET /", "GET /pets", "POST /pets", "GET /checkout"})
        self.assertEqual(len(igs), 3)
        self.assertEqual(routes["GET /"]["target"], routes["GET /pets"]["target"])
        self.assertNotEqual(routes["GET /"]["target"], routes["GET /checkout"]["target"])
        self.assertEqual(routes["POST /pets"]["operationName"], "Create Pet")
        post = igs[routes["POST /pets"]["target"].split("/")[1]]
        self.assertEqual(post["payloadFormatVersion"], "1.0")
        self.assertEqual(post["integrationType"], "HTTP_PROXY")
        lam = igs[routes["GET /"]["target"].split("/")[1]]
        self.assertEqual(lam["integrationType"], "AWS_PROXY")
        self.assertNotIn("passthroughBehavior", lam)

    def test_basepath_modes(self):
        """servers[0].url /{basePath} with default example/path."""
        body = data("import_integrations.json")
        want = {
            None: {"GET /", "GET /pets", "POST /pets", "GET /checkout"},
            "ignore": {"GET /", "GET /pets", "POST /pets", "GET /checkout"},
            "prepend": {"GET /example/path", "GET /example/path/pets", "POST /example/path/pets",
                        "GET /example/path/checkout"},
            "split": {"GET /path", "GET /path/pets", "POST /path/pets", "GET /path/checkout"},
        }
        for mode, keys in want.items():
            with self.subTest(basepath=mode):
                kw = {"Basepath": mode} if mode else {}
                api = self.do_import(body, **kw)["ApiId"]
                self.assertEqual(set(self.routes(api)), keys)
        self.assertBad(lambda: self.do_import(body, Basepath="strip"),
                       "Invalid value for basepath: strip. Must be one of [ignore, prepend, split]")

    def test_yaml_aliases_and_core_schema(self):
        out = self.do_import(data("import_aliases.yaml"))
        api = out["ApiId"]
        self.assertEqual(out["Version"], "2")
        self.assertNotIn("Description", out)  # ~ is null
        self.assertEqual(out["CorsConfiguration"], {
            "AllowOrigins": ["https://a.example.com", "https://b.example.com"], "MaxAge": 16})
        routes, igs = self.routes(api), self.integrations(api)
        self.assertEqual(set(routes), {"GET /a", "PUT /b"})
        self.assertEqual(routes["GET /a"]["operationName"], "true")
        self.assertEqual(len(igs), 1)
        (ig,) = igs.values()
        self.assertEqual(ig["payloadFormatVersion"], "2.0")
        self.assertEqual(ig["timeoutInMillis"], 5000)

    def test_yaml_flow_mapping_is_not_json(self):
        out = self.do_import("{openapi: 3.0.1, info: {title: flow, version: 1.10}, paths: {}}")
        self.assertEqual((out["Name"], out["Version"]), ("flow", "1.1"))
        self.assertEqual(self.routes(out["ApiId"]), {})

    def test_alias_bomb_is_refused(self):
        lines = ["openapi: 3.0.1", "info: {title: bomb, version: '1'}", 'a0: &a0 ["x","x"]']
        for i in range(1, 30):
            lines.append("a%d: &a%d [*a%d, *a%d, *a%d, *a%d]" % (i, i, i - 1, i - 1, i - 1, i - 1))
        before = self.api_count()
        self.assertBad(lambda: self.do_import("\n".join(lines) + "\n"), "expands to more than")
        self.assertEqual(self.api_count(), before)


class WarningsTest(ImportCase):

    WARNINGS = [
        "Parse issue: unable to resolve reference #/components/schemas/Missing at "
        "paths./ok.get.responses.200.content.application/json.schema",
        "Parse issue: attribute x-amazon-apigateway-cors.allowWildcards is unexpected",
        "Unsupported method trace at paths.'/legacy': HTTP APIs have no TRACE routes; it was "
        "not imported",
        "Unsupported integration type aws at paths.'/legacy'(post): HTTP APIs support only "
        "aws_proxy and http_proxy integrations; the route was imported without an integration",
    ]

    def test_warnings_are_kept_on_the_api(self):
        for fail in (None, False):
            with self.subTest(failOnWarnings=fail):
                kw = {} if fail is None else {"FailOnWarnings": fail}
                out = self.do_import(data("import_warnings.yaml"), **kw)
                self.assertEqual(out["Warnings"], self.WARNINGS)
                api = out["ApiId"]
                self.assertEqual(self.wire("/v2/apis/" + api)["warnings"], self.WARNINGS)
                self.assertEqual(out["CorsConfiguration"], {"AllowOrigins": ["*"]})
                routes = self.routes(api)
                self.assertEqual(set(routes), {"GET /ok", "POST /legacy"})
                self.assertNotIn("target", routes["POST /legacy"])
                self.assertEqual(len(self.integrations(api)), 1)

    def test_fail_on_warnings_changes_nothing(self):
        before = self.api_count()
        err = self.assertBad(lambda: self.do_import(data("import_warnings.yaml"),
                                                    FailOnWarnings=True))
        self.assertEqual(err["Error"]["Message"],
                         "Warnings found during import:\n" + "\n".join(self.WARNINGS))
        self.assertEqual(self.api_count(), before)

    def test_fail_on_warnings_without_warnings_imports(self):
        out = self.do_import(data("import_petstore.yaml"), FailOnWarnings=True)
        self.assertNotIn("Warnings", out)
        self.assertEqual(set(self.routes(out["ApiId"])), PETSTORE_ROUTES)

    def test_fail_on_warnings_on_reimport_keeps_the_api(self):
        api = self.do_import(data("import_petstore.yaml"))["ApiId"]
        before = self.shape(api)
        self.assertBad(lambda: self.c.reimport_api(ApiId=api, Body=data("import_warnings.yaml"),
                                                   FailOnWarnings=True),
                       "Warnings found during import:")
        self.assertEqual(self.shape(api), before)
        self.assertEqual(self.c.get_api(ApiId=api)["Name"], "petstore-yaml")

    def test_bad_fail_on_warnings_value(self):
        status, hdrs, body = self.server.http(
            "PUT", "/v2/apis?failOnWarnings=maybe", {"body": data("import_petstore.yaml")})
        self.assertEqual(status, 400)
        self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
        self.assertEqual(body["message"],
                         "Invalid value for failOnWarnings: maybe. Must be true or false")


class ReimportTest(ImportCase):

    def test_reimport_replaces_routes_and_integrations(self):
        api = self.do_import(data("import_petstore.yaml"))["ApiId"]
        old_integrations = set(self.integrations(api))
        doc = yaml.safe_load(data("import_petstore.yaml"))
        doc["info"] = {"title": "petstore-v2", "version": "2.0"}  # no description any more
        del doc["paths"]["/pets"]["head"]
        del doc["x-amazon-apigateway-cors"]
        doc["paths"]["/owners"] = {"post": {"x-amazon-apigateway-integration": {
            "type": "http_proxy", "httpMethod": "POST", "uri": "https://owners.example.com",
            "payloadFormatVersion": "1.0"}}}
        out = self.c.reimport_api(ApiId=api, Body=json.dumps(doc))
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(out["ApiId"], api)
        self.assertEqual(out["Name"], "petstore-v2")
        self.assertEqual(out["Version"], "2.0")
        self.assertNotIn("Description", out)
        self.assertNotIn("CorsConfiguration", out)
        self.assertEqual(self.wire("/v2/apis/" + api), self.wire("/v2/apis/" + api))
        routes, igs = self.routes(api), self.integrations(api)
        self.assertEqual(set(routes),
                         PETSTORE_ROUTES - {"HEAD /pets"} | {"POST /owners"})
        self.assertEqual(len(igs), 5)
        self.assertFalse(old_integrations & set(igs), "old integrations must be gone")
        exported, _ = self.export(api)
        self.assertEqual(exported["info"]["title"], "petstore-v2")
        self.assertIn("/owners", exported["paths"])
        self.assertNotIn("head", exported["paths"]["/pets"])
        self.assertEqual(len(self.c.get_apis()["Items"]),
                         len({a["ApiId"] for a in self.c.get_apis()["Items"]}))

    def test_reimport_with_a_bad_integration_changes_nothing(self):
        api = self.do_import(data("import_petstore.yaml"))["ApiId"]
        before = (self.shape(api), self.wire("/v2/apis/" + api))
        doc = yaml.safe_load(data("import_petstore.yaml"))
        doc["info"]["title"] = "renamed"
        doc["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]["timeoutInMillis"] = 99999
        self.assertBad(lambda: self.c.reimport_api(ApiId=api, Body=json.dumps(doc)),
                       "Invalid integration at paths.'/pets'(get): Invalid value for "
                       "timeoutInMillis: 99999")
        self.assertEqual((self.shape(api), self.wire("/v2/apis/" + api)), before)

    def test_reimport_errors(self):
        self.assertAwsError(
            lambda: self.c.reimport_api(ApiId="nosuchapi1", Body=data("import_petstore.yaml")),
            "NotFoundException", 404,
            "Invalid API identifier specified 000000000000:nosuchapi1")
        ws = self.c.create_api(Name="ws", ProtocolType="WEBSOCKET",
                               RouteSelectionExpression="$request.body.action")["ApiId"]
        self.assertBad(lambda: self.c.reimport_api(ApiId=ws, Body=data("import_petstore.yaml")),
                       "ReimportApi is supported only for HTTP APIs")
        self.assertEqual(self.c.get_api(ApiId=ws)["Name"], "ws")

    def test_reimport_keeps_stages_and_auto_deploys_once(self):
        api = self.do_import(data("import_integrations.json"))["ApiId"]
        self.c.create_stage(ApiId=api, StageName="live", AutoDeploy=True)
        before = len(self.c.get_deployments(ApiId=api)["Items"])
        self.c.reimport_api(ApiId=api, Body=data("import_petstore.yaml"))
        stage = self.c.get_stage(ApiId=api, StageName="live")
        self.assertEqual(len(self.c.get_deployments(ApiId=api)["Items"]), before + 1)
        exported, _ = self.export(api, StageName="live")
        self.assertEqual(set(exported["paths"]),
                         {"/pets", "/pets/{petId}", "/{proxy+}", "/$default"})
        self.assertEqual(exported["servers"][0]["variables"]["basePath"]["default"], "live")
        self.assertTrue(stage["DeploymentId"])


class ImportErrorsTest(ImportCase):

    def refused(self, body, message):
        before = self.api_count()
        self.assertBad(lambda: self.do_import(body), message)
        self.assertEqual(self.api_count(), before)

    def test_swagger_2_is_refused(self):
        self.refused(json.dumps({"swagger": "2.0", "info": {"title": "old", "version": "1"},
                                 "paths": {}}),
                     "OpenAPI 2.0 (swagger) documents are not supported for HTTP APIs")

    def test_other_openapi_versions_are_refused(self):
        self.refused("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
                     "Unsupported OpenAPI version 3.1.0")
        self.refused("info: {title: t, version: '1'}\npaths: {}\n",
                     "the openapi member (3.0.x) is required")

    def test_malformed_documents(self):
        self.refused("openapi: 3.0.1\ninfo: [unclosed\n", "the YAML could not be parsed")
        self.refused('{"openapi": "3.0.1", "info": ', "the JSON could not be parsed")
        self.refused("- just\n- a list\n", "the top level must be an object")
        self.refused("   \n", "the document is empty")
        self.refused("openapi: 3.0.1\ninfo: {version: '1'}\npaths: {}\n", "info.title is required")
        self.refused("openapi: 3.0.1\ninfo: {title: t}\npaths: [1]\n", "paths must be an object")

    def test_invalid_members_are_refused_with_their_place(self):
        self.refused("openapi: 3.0.1\ninfo: {title: '%s'}\npaths: {}\n" % ("n" * 129),
                     "Invalid value for name: length 129")
        self.refused(
            "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /x:\n    get:\n"
            "      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET}\n",
            "Invalid integration at paths.'/x'(get): integrationUri is required")
        self.refused("openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-cors: {maxAge: x}\n"
                     "paths: {}\n", "Invalid type for corsConfiguration.maxAge")
        self.refused(
            "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      isDefaultRoute: true\n"
            "  /b:\n    get:\n      isDefaultRoute: true\n",
            "paths.'/a'(get) and paths.'/b'(get) both define the route $default")

    def test_missing_body(self):
        status, hdrs, body = self.server.http("PUT", "/v2/apis", {})
        self.assertEqual((status, hdrs["x-amzn-errortype"]), (400, "BadRequestException"))
        self.assertEqual(body["message"], "body is a required parameter")


class ExportErrorsTest(ImportCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api = cls.c.import_api(Body=data("import_integrations.json"))["ApiId"]

    def test_export_arguments(self):
        c = self.server.client(validate=False)
        self.assertBad(lambda: c.export_api(ApiId=self.api, Specification="OAS20",
                                            OutputType="JSON"),
                       "Invalid value for specification: OAS20. Must be one of [OAS30]")
        self.assertBad(lambda: c.export_api(ApiId=self.api, Specification="OAS30",
                                            OutputType="XML"),
                       "Invalid value for outputType: XML. Must be one of [YAML, JSON]")
        self.assertBad(lambda: c.export_api(ApiId=self.api, Specification="OAS30",
                                            OutputType="JSON", ExportVersion="2.0"),
                       "The only supported version is 1.0")
        status, hdrs, body = self.server.http("GET", "/v2/apis/%s/exports/OAS30" % self.api)
        self.assertEqual((status, body["message"]), (400, "outputType is a required parameter"))
        doc, _ = self.export(self.api, ExportVersion="1.0")
        self.assertEqual(doc["info"]["title"], "integrations-json")

    def test_export_unknown_api_and_stage(self):
        self.assertAwsError(lambda: self.export("nosuchapi1"), "NotFoundException", 404,
                            "Invalid API identifier specified 000000000000:nosuchapi1")
        self.assertAwsError(lambda: self.export(self.api, StageName="nope"),
                            "NotFoundException", 404, "Invalid stage identifier specified")

    def test_export_websocket_is_refused(self):
        ws = self.c.create_api(Name="ws", ProtocolType="WEBSOCKET",
                               RouteSelectionExpression="$request.body.action")["ApiId"]
        self.assertBad(lambda: self.export(ws), "ExportApi is supported only for HTTP APIs")

    def test_stage_export_is_what_the_stage_serves(self):
        api = self.c.import_api(Body=data("import_integrations.json"))["ApiId"]
        self.c.create_stage(ApiId=api, StageName="empty")
        dep = self.c.create_deployment(ApiId=api)["DeploymentId"]
        self.c.create_stage(ApiId=api, StageName="prod", DeploymentId=dep)
        ig = self.c.create_integration(ApiId=api, IntegrationType="HTTP_PROXY",
                                       IntegrationUri="https://late.example.com",
                                       IntegrationMethod="ANY")["IntegrationId"]
        self.c.create_route(ApiId=api, RouteKey="GET /late", Target="integrations/" + ig)
        latest, _ = self.export(api)
        prod, _ = self.export(api, StageName="prod")
        empty, _ = self.export(api, StageName="empty")
        self.assertIn("/late", latest["paths"])
        self.assertNotIn("/late", prod["paths"])
        self.assertEqual(set(prod["paths"]), {"/", "/pets", "/checkout"})
        self.assertEqual(empty["paths"], {})
        self.assertEqual(prod["servers"][0]["variables"]["basePath"]["default"], "prod")
        self.assertEqual(latest["servers"][0]["variables"]["basePath"]["default"], "")


if __name__ == "__main__":
    unittest.main()
