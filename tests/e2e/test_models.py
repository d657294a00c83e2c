"""Models (spec §10): CreateModel, GetModel, GetModels, UpdateModel, DeleteModel and
GetModelTemplate through boto3, the AWS CLI and raw HTTP, every rule with its AWS error name
and status."""
import json
import re
import unittest

from harness import TwoApisTestCase

BAD_SCHEMA = ("Invalid model specified: Validation Result: warnings : [], errors : "
              "[Invalid model schema specified]")
ID_RE = re.compile(r"^[a-z0-9]{6}$")
PET = json.dumps({
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Pet",
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
    },
})


class ModelTest(TwoApisTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.names = 0

    def model(self, client=None, **kw):
        ModelTest.names += 1
        args = dict(ApiId=self.ws, Name="Model%d" % self.names,
                    ContentType="application/json", Schema=PET)
        args.update(kw)
        return (client or self.c).create_model(**args)

    def bad(self, call, message=None):
        return self.assertAwsError(call, "BadRequestException", 400, message)

    @staticmethod
    def body(resp):
        return {k: v for k, v in resp.items() if k != "ResponseMetadata"}

    def template(self, schema, content_type="application/json", api=None):
        api = api or self.ws
        mid = self.model(ApiId=api, Schema=schema, ContentType=content_type)["ModelId"]
        r = self.c.get_model_template(ApiId=api, ModelId=mid)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        return r["Value"]

    # ---- create ----

    def test_create(self):
        r = self.c.create_model(ApiId=self.ws, Name="Pet", ContentType="application/json",
                                Description="a pet", Schema=PET)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(r["ModelId"], ID_RE)
        self.assertEqual(self.body(r), {"ContentType": "application/json",
                                        "Description": "a pet", "ModelId": r["ModelId"],
                                        "Name": "Pet", "Schema": PET})

    def test_create_on_http_api_and_with_cli(self):
        out = self.server.aws("create-model", "--api-id", self.http, "--name", "CliModel",
                              "--content-type", "application/json", "--schema", PET)
        self.assertEqual(out, {"ContentType": "application/json", "ModelId": out["ModelId"],
                               "Name": "CliModel", "Schema": PET})
        got = self.server.aws("get-model", "--api-id", self.http, "--model-id", out["ModelId"])
        self.assertEqual(got, out)

    def test_name_rules(self):
        for name in ("my-model", "my model", "model_1", "Modèle"):
            self.bad(lambda: self.model(Name=name), "alphanumeric")
        self.bad(lambda: self.model(self.raw, Name=""), "name")
        self.bad(lambda: self.model(self.raw, Name="a" * 129), "name")
        self.assertEqual(self.model(Name="a" * 128)["Name"], "a" * 128)

    def test_name_unique_per_api(self):
        self.model(Name="Twice")
        err = self.assertAwsError(lambda: self.model(Name="Twice"), "ConflictException", 409)
        self.assertIn("Twice", err["Error"]["Message"])
        # Another API may use the same name; so may another case.
        self.model(Name="Twice", ApiId=self.http)
        self.model(Name="TWICE")

    def test_required_members(self):
        path = "/v2/apis/%s/models" % self.ws
        for body, word in (({"name": "NoSchema"}, "schema"),
                           ({"schema": "{}"}, "name"),
                           ({"name": 5, "schema": "{}"}, "name"),
                           ({"name": "Obj", "schema": {"type": "object"}}, "schema"),
                           ({"name": "Ct", "schema": "{}", "contentType": ""}, "contentType"),
                           ({"name": "Long", "schema": "{}", "description": "d" * 1025},
                            "description"),
                           ({"name": "Big", "schema": " " * 32769}, "schema")):
            st, hdrs, resp = self.server.http("POST", path, body)
            self.assertEqual(st, 400, (body, resp))
            self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
            self.assertIn(word, resp["message"])

    def test_json_schema_is_validated(self):
        for schema in ("not json", "[1, 2]", '"text"', "{", '{"type": "String"}',
                       '{"type": ["string", "string"]}', '{"required": []}',
                       '{"required": ["a", "a"]}', '{"properties": {"a": 1}}',
                       '{"properties": []}', '{"items": 3}', '{"minLength": -1}',
                       '{"maxItems": 1.5}', '{"enum": []}', '{"multipleOf": 0}',
                       '{"exclusiveMinimum": 3}', '{"additionalProperties": "no"}',
                       '{"allOf": []}', '{"not": true}', '{"title": 7}',
                       '{"properties": {"a": {"properties": {"b": {"type": "list"}}}}}',
                       '{"dependencies": {"a": []}}'):
            err = self.bad(lambda: self.model(Schema=schema))
            self.assertEqual(err["Error"]["Message"], BAD_SCHEMA, schema)
        # Content types with parameters or another case are still JSON.
        for ct in ("application/json; charset=utf-8", "Application/JSON"):
            self.bad(lambda: self.model(ContentType=ct, Schema="nope"), "Invalid model schema")

    def test_valid_draft4_schemas(self):
        for schema in ({}, {"type": ["string", "null"]},
                       {"type": "array", "items": [{"type": "string"}, {"type": "number"}],
                        "additionalItems": False, "uniqueItems": True, "minItems": 0},
                       {"definitions": {"id": {"type": "integer"}},
                        "properties": {"id": {"$ref": "#/definitions/id"}},
                        "additionalProperties": {"type": "string"},
                        "patternProperties": {"^x-": {}},
                        "dependencies": {"a": ["b"], "c": {"required": ["d"]}},
                        "allOf": [{}], "anyOf": [{}], "oneOf": [{}], "not": {"type": "null"},
                        "enum": [1, "1"], "multipleOf": 0.5, "maximum": 10,
                        "exclusiveMaximum": True, "x-extension": {"anything": 1}}):
            text = json.dumps(schema)
            self.assertEqual(self.model(Schema=text)["Schema"], text)

    def test_other_content_types_take_any_schema(self):
        r = self.model(ContentType="text/plain", Schema="any text at all")
        self.assertEqual(r["Schema"], "any text at all")
        r = self.model(ContentType="application/xml", Schema="<pet/>", ApiId=self.http)
        self.assertEqual(r["ContentType"], "application/xml")
        # contentType is optional; none is stored and none comes back.
        r = self.c.create_model(ApiId=self.ws, Name="NoType", Schema="not json")
        self.assertNotIn("ContentType", r)

    def test_unknown_api(self):
        self.assertAwsError(lambda: self.model(ApiId="nosuchapi0"), "NotFoundException", 404,
                            "Invalid API identifier specified")

    # ---- read ----

    def test_get_and_not_found(self):
        r = self.model(Description="read me")
        got = self.c.get_model(ApiId=self.ws, ModelId=r["ModelId"])
        self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.body(got), self.body(r))
        err = self.assertAwsError(lambda: self.c.get_model(ApiId=self.ws, ModelId="zzzzzz"),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid Model identifier specified zzzzzz")
        self.assertAwsError(lambda: self.c.get_model(ApiId="nosuchapi0", ModelId=r["ModelId"]),
                            "NotFoundException", 404, "Invalid API identifier specified")
        self.assertAwsError(lambda: self.c.get_model(ApiId=self.http, ModelId=r["ModelId"]),
                            "NotFoundException", 404)

    def test_list_and_pagination(self):
        api = self.c.create_api(Name="paged", ProtocolType="HTTP")["ApiId"]
        self.assertEqual(self.c.get_models(ApiId=api)["Items"], [])
        ids = [self.model(ApiId=api)["ModelId"] for _ in range(5)]
        page = self.c.get_models(ApiId=api, MaxResults="2")
        seen = [m["ModelId"] for m in page["Items"]]
        self.assertEqual(len(seen), 2)
        while "NextToken" in page:
            page = self.c.get_models(ApiId=api, MaxResults="2", NextToken=page["NextToken"])
            seen += [m["ModelId"] for m in page["Items"]]
        self.assertEqual(seen, ids)
        pages = list(self.c.get_paginator("get_models").paginate(
            ApiId=api, PaginationConfig={"PageSize": 4}))
        self.assertEqual([len(p["Items"]) for p in pages], [4, 1])
        self.assertEqual(pages[0]["Items"][0]["Schema"], PET)
        out = self.server.aws("get-models", "--api-id", api)
        self.assertEqual([m["ModelId"] for m in out["Items"]], ids)
        self.bad(lambda: self.c.get_models(ApiId=api, MaxResults="x"), "maxResults")
        self.assertAwsError(lambda: self.c.get_models(ApiId="nosuchapi0"),
                            "NotFoundException", 404)

    # ---- update ----

    def test_update(self):
        r = self.model(Description="old")
        mid = r["ModelId"]
        u = self.c.update_model(ApiId=self.ws, ModelId=mid, Description="new", Name="Renamed")
        self.assertEqual(u["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.body(u), {"ContentType": "application/json", "Description": "new",
                                        "ModelId": mid, "Name": "Renamed", "Schema": PET})
        # "" clears the description, as Terraform sends it.
        u = self.c.update_model(ApiId=self.ws, ModelId=mid, Description="")
        self.assertEqual(u["Description"], "")
        self.assertEqual(self.body(self.c.get_model(ApiId=self.ws, ModelId=mid)), self.body(u))
        # The old name is free again.
        self.model(Name=r["Name"])

    def test_update_rules(self):
        self.model(Name="Taken")
        r = self.model()
        mid = r["ModelId"]
        self.assertAwsError(lambda: self.c.update_model(ApiId=self.ws, ModelId=mid,
                                                        Name="Taken"),
                            "ConflictException", 409, "Taken")
        self.bad(lambda: self.c.update_model(ApiId=self.ws, ModelId=mid, Name="bad name"),
                 "alphanumeric")
        self.bad(lambda: self.c.update_model(ApiId=self.ws, ModelId=mid, Schema="{"),
                 "Invalid model schema")
        # Schema and content type are judged together.
        t = self.model(ContentType="text/plain", Schema="plain words")["ModelId"]
        self.bad(lambda: self.c.update_model(ApiId=self.ws, ModelId=t,
                                             ContentType="application/json"),
                 "Invalid model schema")
        self.assertEqual(self.c.update_model(ApiId=self.ws, ModelId=t, Schema="{}",
                                             ContentType="application/json")["Schema"], "{}")
        self.assertEqual(self.body(self.c.get_model(ApiId=self.ws, ModelId=mid)), self.body(r))
        self.assertAwsError(lambda: self.c.update_model(ApiId=self.ws, ModelId="zzzzzz",
                                                        Name="X"),
                            "NotFoundException", 404, "Invalid Model identifier specified zzzzzz")

    # ---- delete ----

    def test_delete(self):
        r = self.model(Name="Doomed")
        d = self.c.delete_model(ApiId=self.ws, ModelId=r["ModelId"])
        self.assertEqual(d["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertAwsError(lambda: self.c.get_model(ApiId=self.ws, ModelId=r["ModelId"]),
                            "NotFoundException", 404)
        self.assertAwsError(lambda: self.c.delete_model(ApiId=self.ws, ModelId=r["ModelId"]),
                            "NotFoundException", 404, "Invalid Model identifier specified")
        self.assertAwsError(lambda: self.c.delete_model(ApiId="nosuchapi0",
                                                        ModelId=r["ModelId"]),
                            "NotFoundException", 404, "Invalid API identifier specified")
        self.model(Name="Doomed")  # the name is free again

    # ---- GetModelTemplate ----

    def test_template_flat_object(self):
        self.assertEqual(self.template(PET),
                         "#set($inputRoot = $input.path('$'))\n"
                         "{\n"
                         "  \"name\" : \"$inputRoot.name\",\n"
                         "  \"age\" : $inputRoot.age\n"
                         "}")

    def test_template_nested(self):
        schema = json.dumps({
            "type": "object",
            "definitions": {"tag": {"type": "object",
                                    "properties": {"key": {"type": "string"},
                                                   "on": {"type": "boolean"}}}},
            "properties": {
                "owner": {"type": "object", "properties": {"first-name": {"type": "string"},
                                                           "score": {"type": "number"}}},
                "tags": {"type": "array", "items": {"$ref": "#/definitions/tag"}},
                "ids": {"type": "array", "items": {"type": "integer"}},
                "matrix": {"type": "array", "items": {"type": "array",
                                                      "items": {"type": "string"}}},
                "empty": {"type": "object"},
                "note": {},
            }})
        self.assertEqual(self.template(schema),
                         "#set($inputRoot = $input.path('$'))\n"
                         "{\n"
                         "  \"owner\" : {\n"
                         "    \"first-name\" : \"$inputRoot.owner.get('first-name')\",\n"
                         "    \"score\" : $inputRoot.owner.score\n"
                         "  },\n"
                         "  \"tags\" : [\n"
                         "#foreach($elem in $inputRoot.tags)\n"
                         "    {\n"
                         "      \"key\" : \"$elem.key\",\n"
                         "      \"on\" : $elem.on\n"
                         "    }#if($foreach.hasNext),#end\n"
                         "#end\n"
                         "  ],\n"
                         "  \"ids\" : [\n"
                         "#foreach($elem in $inputRoot.ids)\n"
                         "    $elem#if($foreach.hasNext),#end\n"
                         "#end\n"
                         "  ],\n"
                         "  \"matrix\" : [\n"
                         "#foreach($elem in $inputRoot.matrix)\n"
                         "    [\n"
                         "#foreach($elem1 in $elem)\n"
                         "      \"$elem1\"#if($foreach.hasNext),#end\n"
                         "#end\n"
                         "    ]#if($foreach.hasNext),#end\n"
                         "#end\n"
                         "  ],\n"
                         "  \"empty\" : {},\n"
                         "  \"note\" : \"$inputRoot.note\"\n"
                         "}")

    def test_template_root_array_and_cycles(self):
        item = {"type": "object", "properties": {"id": {"type": "integer"}}}
        schema = json.dumps({"type": "array", "items": item})
        self.assertEqual(self.template(schema, api=self.http),
                         "#set($inputRoot = $input.path('$'))\n"
                         "[\n"
                         "#foreach($elem in $inputRoot)\n"
                         "  {\n"
                         "    \"id\" : $elem.id\n"
                         "  }#if($foreach.hasNext),#end\n"
                         "#end\n"
                         "]")
        # A schema that refers to itself ends in a bounded template.
        loop = json.dumps({"type": "object",
                           "properties": {"next": {"$ref": "#"}, "v": {"type": "string"}}})
        value = self.template(loop)
        self.assertTrue(value.startswith("#set($inputRoot = $input.path('$'))\n{\n"))
        self.assertLess(len(value), 1024 * 1024)

    def test_template_other_content_types(self):
        self.assertEqual(self.template("<pet/>", content_type="application/xml"), "$input.body")

    def test_template_with_cli_and_not_found(self):
        mid = self.model(ApiId=self.http)["ModelId"]
        out = self.server.aws("get-model-template", "--api-id", self.http, "--model-id", mid)
        self.assertEqual(set(out), {"Value"})
        self.assertIn("\"name\" : \"$inputRoot.name\"", out["Value"])
        err = self.assertAwsError(lambda: self.c.get_model_template(ApiId=self.http,
                                                                    ModelId="zzzzzz"),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid Model identifier specified zzzzzz")
        self.assertAwsError(lambda: self.c.get_model_template(ApiId="nosuchapi0", ModelId=mid),
                            "NotFoundException", 404, "Invalid API identifier specified")


if __name__ == "__main__":
    unittest.main()
