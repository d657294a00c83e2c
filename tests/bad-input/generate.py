#!/usr/bin/env python3
"""generate.py — writes the bad-input corpus, tests/bad-input/*.req (format: README.md).

The files are committed; this script is how they were made and how to remake them after a
change (`python3 tests/bad-input/generate.py` deletes every *.req here and writes them anew, so
a new request is added here, not by hand). Two parts:
  - hand-picked hostile requests, by category (malformed and truncated JSON, wrong types, huge
    numbers, deep nesting, overlong strings, invalid UTF-8, NUL bytes, duplicate keys, SQL and
    template injection, path traversal and bad percent-encoding, query strings, content types,
    chunked and empty bodies, odd methods, malformed HTTP, invalid values);
  - from the botocore model: every operation with each required member missing in turn
    (required-<Operation>-<member>.req), and for operations with required body members, the
    body with none of them (required-<Operation>-all.req).
Placeholders {{apiId}} etc. are filled in by the runner (tests/e2e/test_bad_input.py) with the
ids of fixtures it creates first.
"""
import gzip
import json
import os
import re
import urllib.parse

import botocore

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(os.path.dirname(botocore.__file__),
                     "data", "apigatewayv2", "2018-11-29", "service-2.json.gz")
JSON = "Content-Type: application/json"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:corpus"
OPENAPI = json.dumps({"openapi": "3.0.1", "info": {"title": "corpus", "version": "1"},
                      "paths": {"/corpus": {"get": {"x-amazon-apigateway-integration": {
                          "type": "HTTP_PROXY", "httpMethod": "GET",
                          "uri": "https://example.com", "payloadFormatVersion": "1.0"}}}}})

written = []


def enc(s):
    """One path segment, percent-encoded."""
    return urllib.parse.quote(s, safe="")


def req(name, method, path, body=None, headers=None, expect="4xx", error=None, message=None,
        chunked=None, note=None, known_bug=None, echo=None):
    """Writes tests/bad-input/NAME.req. body: None = no body at all, str or bytes otherwise.
    headers: list of "Name: value" lines; default Content-Type: application/json when a body
    is sent."""
    if headers is None:
        headers = [JSON] if body is not None else []
    head = []
    if note:
        head += ["# " + line for line in note.splitlines()]
    head.append("# expect: " + expect)
    if error:
        head.append("# error: " + error)
    if message:
        head.append("# message: " + message)
    if chunked:
        head.append("# chunked: %d" % chunked)
    if known_bug:
        head.append("# known-bug: " + known_bug)
    if echo:
        head.append("# echo: " + echo)
    head.append("%s %s" % (method, path))
    head += headers
    data = ("\n".join(head) + "\n").encode()
    if body is not None:
        data += b"\n" + (body if isinstance(body, bytes) else body.encode())
    _write(name, data)


def raw(name, data, note, expect="4xx-http", known_bug=None):
    """A request sent byte for byte as written (malformed HTTP framing)."""
    head = "".join("# " + line + "\n" for line in note.splitlines())
    head += "# expect: %s\n" % expect
    if known_bug:
        head += "# known-bug: %s\n" % known_bug
    head += "# raw\n"
    _write(name, head.encode() + data)


def _write(name, data):
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", name), name
    written.append(name)
    with open(os.path.join(HERE, name + ".req"), "wb") as f:
        f.write(data)


def series(prefix, items, **common):
    """req() for each (method, path, body[, extra]) of items, named prefix-NN."""
    for i, item in enumerate(items, 1):
        method, path, body = item[:3]
        kw = dict(common)
        if len(item) > 3:
            kw.update(item[3])
        req("%s-%02d" % (prefix, i), method, path, body, **kw)


# Paths of the fixtures the runner creates (tests/e2e/test_bad_input.py make_fixtures).
APIS = "/v2/apis"
API = APIS + "/{{apiId}}"
WSAPI = APIS + "/{{wsApiId}}"
INTS = API + "/integrations"
INT = INTS + "/{{integrationId}}"
ROUTES = API + "/routes"
ROUTE = ROUTES + "/{{routeId}}"
STAGES = API + "/stages"
STAGE = STAGES + "/{{stageName}}"

BAD = dict(error="BadRequestException")

def hand():
    # ---- malformed JSON ----
    bodies = ['{', '}', '{"name":}', '{"name" "x"}', "{'name':'x','protocolType':'HTTP'}",
              '{"name":"x","protocolType":"HTTP",}', '[', '[1,2', 'nul', 'tru', '"unterminated',
              '{"name":"x"}}', '{"name":"x","protocolType":"HTTP"} trailing',
              '{"name":"x","protocolType":"HTTP"}{"name":"y"}', '{"a":01}', '{"a":.5}',
              '{"a":1e}', '{"a":-}', '{"a":"\\x"}', '{"a":"\\u12"}', '{"a":"\\ud800"}',
              '/* comment */ {"name":"x","protocolType":"HTTP"}', '{"a":NaN}',
              '{"a":Infinity}', '{"a":+1}', '{name:"x"}', '{"a":"line\nbreak"}', '{"a"::1}',
              '{,}', '{"a":[1,]}', '{"a":{"b":}}', '{"a":"\t"}', ' ', '\n\n\n', '{"a":0x10}',
              '{"a":True}', '{"a":undefined}']
    series("json-malformed", [("POST", APIS, b) for b in bodies], **BAD)
    series("json-malformed-patch", [("PATCH", INT, b) for b in bodies[:10]], **BAD)
    series("json-malformed-int", [("POST", INTS, b) for b in bodies[10:20]], **BAD)
    req("json-malformed-bom", "POST", APIS, b'\xef\xbb\xbf{"name":"bom","protocolType":"HTTP"}',
        note="A UTF-8 byte order mark before the JSON: not JSON (RFC 8259 forbids it)", **BAD)
    req("json-malformed-utf16", "POST", APIS,
        '{"name":"u16","protocolType":"HTTP"}'.encode("utf-16"),
        headers=["Content-Type: application/json; charset=utf-16"], **BAD)
    req("json-toplevel-array", "POST", APIS, '[{"name":"x","protocolType":"HTTP"}]', **BAD)
    req("json-toplevel-string", "POST", APIS, '"x"', **BAD)
    req("json-toplevel-number", "POST", INTS, '42', **BAD)
    req("json-toplevel-null", "PATCH", INT, 'null', **BAD)
    req("json-toplevel-array-patch", "PATCH", API, '[]', **BAD)

    # ---- truncated JSON: a valid CreateIntegration body cut short ----
    full = json.dumps({"integrationType": "HTTP_PROXY", "integrationMethod": "GET",
                       "integrationUri": "https://example.com/x", "payloadFormatVersion": "1.0",
                       "timeoutInMillis": 3000, "requestParameters": {"append:header.a": "b"},
                       "description": "truncated"})
    cuts = sorted({1, 2, 5, 17, 20, 40, 64, 90, 120, 150, 170, len(full) - 2, len(full) - 1})
    series("json-truncated", [("POST", INTS, full[:n]) for n in cuts], **BAD)
    series("json-truncated-api", [("POST", APIS, s) for s in
                                  ('{"name":"t","protocolType":"HT', '{"name":"t","prot',
                                   '{"name":"t\\', '{"name":"t\\u00')], **BAD)

    # ---- wrong types ----
    wrong = [
        (APIS, {"name": 1, "protocolType": "HTTP"}), (APIS, {"name": True, "protocolType": "HTTP"}),
        (APIS, {"name": [], "protocolType": "HTTP"}), (APIS, {"name": {}, "protocolType": "HTTP"}),
        (APIS, {"name": "x", "protocolType": 5}), (APIS, {"name": "x", "protocolType": ["HTTP"]}),
        (APIS, {"name": "x", "protocolType": "HTTP", "tags": "k=v"}),
        (APIS, {"name": "x", "protocolType": "HTTP", "tags": {"k": 1}}),
        (APIS, {"name": "x", "protocolType": "HTTP", "tags": ["k"]}),
        (APIS, {"name": "x", "protocolType": "HTTP", "disableExecuteApiEndpoint": "true"}),
        (APIS, {"name": "x", "protocolType": "HTTP", "corsConfiguration": []}),
        (APIS, {"name": "x", "protocolType": "HTTP", "corsConfiguration": {"allowOrigins": "*"}}),
        (APIS, {"name": "x", "protocolType": "HTTP", "corsConfiguration": {"maxAge": "5"}}),
        (APIS, {"name": "x", "protocolType": "HTTP", "corsConfiguration": {"allowCredentials": 1}}),
        (APIS, {"name": "x", "protocolType": "HTTP", "description": 3.5}),
        (INTS, {"integrationType": 1}),
        (INTS, {"integrationType": "HTTP_PROXY", "integrationUri": 5, "integrationMethod": "GET"}),
        (INTS, {"integrationType": "HTTP_PROXY", "integrationUri": "https://e.com",
                "integrationMethod": "GET", "timeoutInMillis": "3000"}),
        (INTS, {"integrationType": "HTTP_PROXY", "integrationUri": "https://e.com",
                "integrationMethod": "GET", "timeoutInMillis": 3000.5}),
        (INTS, {"integrationType": "HTTP_PROXY", "integrationUri": "https://e.com",
                "integrationMethod": "GET", "requestParameters": {"append:header.a": 1}}),
        (INTS, {"integrationType": "HTTP_PROXY", "integrationUri": "https://e.com",
                "integrationMethod": "GET", "requestParameters": "x"}),
        (INTS, {"integrationType": "HTTP_PROXY", "integrationUri": "https://e.com",
                "integrationMethod": "GET", "responseParameters": {"200": "x"}}),
        (INTS, {"integrationType": "HTTP_PROXY", "integrationUri": "https://e.com",
                "integrationMethod": "GET", "tlsConfig": "x"}),
        (INTS, {"integrationType": "HTTP_PROXY", "integrationUri": "https://e.com",
                "integrationMethod": "GET", "tlsConfig": {"serverNameToVerify": 5}}),
        (INTS, {"integrationType": "HTTP_PROXY", "integrationUri": "https://e.com",
                "integrationMethod": "GET", "payloadFormatVersion": 1.0}),
        (ROUTES, {"routeKey": 5}), (ROUTES, {"routeKey": ["GET /a"]}),
        (ROUTES, {"routeKey": "GET /w1", "apiKeyRequired": "yes"}),
        (ROUTES, {"routeKey": "GET /w2", "authorizationScopes": "a"}),
        (ROUTES, {"routeKey": "GET /w3", "authorizationScopes": [1]}),
        (ROUTES, {"routeKey": "GET /w4", "requestParameters": {"a": True}}),
        (ROUTES, {"routeKey": "GET /w5", "target": 7}),
        (STAGES, {"stageName": 5}), (STAGES, {"stageName": "w1", "autoDeploy": "true"}),
        (STAGES, {"stageName": "w2", "stageVariables": {"a": 1}}),
        (STAGES, {"stageName": "w3", "defaultRouteSettings": {"throttlingBurstLimit": "5"}}),
        (STAGES, {"stageName": "w4", "routeSettings": {"GET /a": "x"}}),
        (STAGES, {"stageName": "w5", "accessLogSettings": {"destinationArn": 5}}),
        (API + "/deployments", {"description": 5}), (API + "/deployments", {"stageName": []}),
        (API + "/authorizers", {"name": "a", "authorizerType": "JWT", "identitySource": "x",
                                "jwtConfiguration": {"audience": ["a"],
                                                     "issuer": "https://e.com"}}),
        (API + "/authorizers", {"name": "a", "authorizerType": "JWT",
                                "identitySource": ["$request.header.Authorization"],
                                "jwtConfiguration": {"audience": "a", "issuer": "https://e.com"}}),
        ("/v2/domainnames", {"domainName": 5}),
        ("/v2/domainnames", {"domainName": "w.example.com", "domainNameConfigurations": {}}),
        ("/v2/vpclinks", {"name": "v", "subnetIds": "subnet-1"}),
        ("/v2/vpclinks", {"name": 1, "subnetIds": ["subnet-1"]}),
        (WSAPI + "/models", {"name": "m", "schema": {"type": "object"}}),
    ]
    series("type", [("POST", p, json.dumps(b)) for p, b in wrong], **BAD)
    req("type-patch-protocol", "PATCH", API, '{"protocolType":"WEBSOCKET"}', expect="2xx",
        note="protocolType is not a member of UpdateApi: ignored, the protocol never changes")
    req("type-patch-tags", "PATCH", API, '{"tags":[]}', expect="2xx",
        note="tags is not a member of UpdateApi (TagResource changes tags): ignored")
    series("type-patch", [("PATCH", p, json.dumps(b)) for p, b in [
        (API, {"name": 1}),
        (INT, {"timeoutInMillis": "1"}), (INT, {"integrationType": None, "description": 5}),
        (ROUTE, {"routeKey": {}}), (STAGE, {"autoDeploy": 1}), (STAGE, {"stageVariables": []}),
    ]], **BAD)

    # ---- huge and odd numbers ----
    base = '{"integrationType":"HTTP_PROXY","integrationUri":"https://e.com",' \
           '"integrationMethod":"GET","timeoutInMillis":%s}'
    nums = ["1e400", "-1e400", "99999999999999999999999", "-9223372036854775809",
            "9223372036854775807", "9223372036854775808", "-1", "0", "1e308", "30001",
            "49", "1.0e3", "-0", "4.9E-324", "1" + "0" * 400]
    series("number", [("POST", INTS, base % n) for n in nums], **BAD)
    series("number-other", [
        ("POST", APIS, '{"name":"n","protocolType":"HTTP","corsConfiguration":{"maxAge":99999999999999999999}}'),
        ("POST", APIS, '{"name":"n","protocolType":"HTTP","corsConfiguration":{"maxAge":-2}}'),
        ("POST", STAGES, '{"stageName":"n1","defaultRouteSettings":{"throttlingRateLimit":1e999}}'),
        ("POST", STAGES, '{"stageName":"n2","defaultRouteSettings":{"throttlingBurstLimit":-1}}'),
        ("POST", STAGES, '{"stageName":"n3","defaultRouteSettings":{"throttlingBurstLimit":1e10}}'),
        ("PATCH", INT, '{"timeoutInMillis":18446744073709551616}'),
    ], **BAD)

    # ---- deep nesting (5000 levels) ----
    d = 5000
    series("nesting", [
        ("POST", APIS, "[" * d + "]" * d),
        ("POST", APIS, '{"a":' * d + "1" + "}" * d),
        ("POST", APIS, '{"name":"deep","protocolType":"HTTP","tags":' + '{"a":' * d + '"v"' + "}" * d + "}"),
        ("POST", APIS, '{"name":"deep","protocolType":"HTTP","corsConfiguration":{"allowOrigins":'
         + "[" * d + "]" * d + "}}"),
        ("POST", INTS, '{"integrationType":"MOCK","requestTemplates":' + '{"a":' * d + '"v"' + "}" * d + "}"),
        ("PATCH", INT, '{"description":' + "[" * d + "]" * d + "}"),
        ("POST", APIS, "[" * d),
        ("POST", APIS, '{"x":' + "[" * 30000 + "]" * 30000 + "}"),
    ], **BAD)

    # ---- overlong strings ----
    series("long", [
        ("POST", APIS, json.dumps({"name": "n" * 129, "protocolType": "HTTP"})),
        ("POST", APIS, json.dumps({"name": "n" * 20000, "protocolType": "HTTP"})),
        ("POST", APIS, json.dumps({"name": "x", "protocolType": "HTTP", "description": "d" * 1025})),
        ("POST", APIS, json.dumps({"name": "x", "protocolType": "HTTP", "description": "\u00e9" * 1025})),
        ("POST", APIS, json.dumps({"name": "x", "protocolType": "HTTP", "tags": {"k" * 129: "v"}})),
        ("POST", APIS, json.dumps({"name": "x", "protocolType": "HTTP", "tags": {"k": "v" * 257}})),
        ("POST", APIS, json.dumps({"name": "x", "protocolType": "HTTP",
                                   "tags": {"k%d" % i: "v" for i in range(51)}})),
        ("POST", APIS, json.dumps({"name": "x", "protocolType": "HTTP",
                                   "tags": {"k%d" % i: "v" for i in range(2000)}})),
        ("POST", ROUTES, json.dumps({"routeKey": "GET /" + "p" * 10000})),
        ("POST", INTS, json.dumps({"integrationType": "HTTP_PROXY", "integrationMethod": "GET",
                                   "integrationUri": "https://e.com/" + "u" * 20000})),
        ("POST", STAGES, json.dumps({"stageName": "s" * 129})),
        ("PATCH", INT, json.dumps({"description": "d" * 5000})),
    ])
    req("long-allow-origins", "POST", APIS, json.dumps(
        {"name": "x", "protocolType": "HTTP",
         "corsConfiguration": {"allowOrigins": ["https://e.com"] * 5000}}), expect="2xx",
        note="5000 allowOrigins (85 kB): the model sets no maximum, the body is under the limit")

    # ---- invalid UTF-8 in bodies ----
    utf = [b'{"name":"\xff","protocolType":"HTTP"}', b'{"name":"\xc0\xaf","protocolType":"HTTP"}',
           b'{"name":"\xed\xa0\x80","protocolType":"HTTP"}', b'{"name":"ab\xe2\x82","protocolType":"HTTP"}',
           b'{"name":"x","protocolType":"HTTP","tags":{"\xfe":"v"}}',
           b'{"name":"x","protocolType":"HTTP","description":"\xf8\x88\x80\x80\x80"}',
           b'{"name":"x","protocolType":"HTTP","description":"\xf4\x90\x80\x80"}',
           b'{"\xff\xfe":1}', b'\xff\xfe\xfd', b'{"name":"\x80","protocolType":"HTTP"}',
           b'{"name":"x","protocolType":"HT\xc3"}']
    series("utf8", [("POST", APIS, b) for b in utf], **BAD)
    series("utf8-int", [("PATCH", INT, b'{"description":"\xc3\x28"}'),
                        ("POST", INTS, b'{"integrationType":"MOCK","description":"\xe0\x80\x80"}')], **BAD)

    # ---- NUL bytes ----
    series("nul", [
        ("POST", APIS, b'{"name":"a\x00b","protocolType":"HTTP"}', BAD),
        ("POST", APIS, b'\x00{"name":"a","protocolType":"HTTP"}', BAD),
        ("POST", APIS, b'{"name":"a","protocolType":"HTTP"}\x00', BAD),
        ("POST", APIS, '{"name":"a\\u0000b","protocolType":"HTTP"}', BAD),
        ("POST", APIS, '{"name":"x","protocolType":"HTTP","tags":{"k\\u0000":"v"}}', BAD),
        ("POST", INTS, '{"integrationType":"MOCK\\u0000"}', BAD),
        ("PATCH", INT, '{"description":"\\u0000"}', BAD),
        ("GET", "/v2/apis/%00", None),
        ("GET", API + "%00", None),
        ("GET", INTS + "/%00abc", None),
        ("GET", APIS + "?nextToken=%00", None, {}),
        ("DELETE", "/v2/tags/arn%00", None),
    ])

    # ---- duplicate keys ----
    series("dupkey", [
        ("POST", APIS, '{"name":"a","name":"b","protocolType":"HTTP"}'),
        ("POST", APIS, '{"name":"a","protocolType":"HTTP","protocolType":"WEBSOCKET"}'),
        ("POST", APIS, '{"name":"a","protocolType":"HTTP","tags":{"k":"1","k":"2"}}'),
        ("POST", APIS, '{"name":"a","protocolType":"HTTP","corsConfiguration":{"maxAge":1,"maxAge":2}}'),
        ("PATCH", INT, '{"description":"a","description":"b"}'),
        ("POST", INTS, '{"integrationType":"MOCK","integrationType":"MOCK"}'),
    ], **BAD)

    # ---- SQL and template injection: valid names are stored as sent (2xx), ids 404 ----
    inj = ["' OR '1'='1", "'; DROP TABLE resources; --", "\" OR 1=1 --", "1; SELECT * FROM meta",
           "x' UNION SELECT doc FROM resources --", "%' AND 1=0 --", "admin'/*",
           "{{7*7}}", "${7*7}", "<%= 7*7 %>", "#{7*7}", "${jndi:ldap://127.0.0.1/a}",
           "{{constructor.constructor('return 1')()}}", "<script>alert(1)</script>",
           "$(id)", "`id`", "../../etc/passwd"]
    for i, s in enumerate(inj, 1):
        req("inject-name-%02d" % i, "POST", APIS,
            json.dumps({"name": s, "protocolType": "HTTP", "description": s, "tags": {"k": s}}),
            expect="2xx", note="A valid name (1-128 characters): created, stored as sent",
            echo="name description tags")
        req("inject-id-%02d" % i, "GET", APIS + "/" + enc(s), expect="4xx")
        req("inject-int-id-%02d" % i, "PATCH", INTS + "/" + enc(s), '{"description":"x"}')
    for i, s in enumerate(inj[:6], 1):
        req("inject-query-%02d" % i, "GET", APIS + "?nextToken=" + enc(s), **BAD)
        req("inject-routekey-%02d" % i, "POST", ROUTES, json.dumps({"routeKey": s}), **BAD)
        req("inject-tagkey-%02d" % i, "DELETE", "/v2/tags/" + enc(s) + "?tagKeys=" + enc(s))

    # ---- path traversal and bad percent-encoding ----
    paths = ["/v2/apis/../apis", "/v2/apis/%2e%2e/apis", "/v2/apis/..%2f..%2fetc%2fpasswd",
             "/v2/apis/%", "/v2/apis/%zz", "/v2/apis/%4", "/v2/apis/%C0%AE%C0%AE",
             "/v2/apis/%FF", "/v2/apis/%ED%A0%80", "/v2/apis/%252e%252e", "/v2/apis/..\\..\\x",
             "/v2/apis/%2F", "/v2/apis/{{apiId}}/integrations/%2F", "/v2/apis/" + "a" * 10000,
             "/v2/apis/a%20b", "/v2/apis/%E2%80%AE", "/v2/apis/./{{apiId}}", "/v2/./apis",
             "/v2/apis/{{apiId}}/../{{apiId}}", "/../../v2/apis", "/v2/apis/%0d%0aX-Injected:%201",
             "/v2/apis/%0a", "/v2/apis/%7f", "/v2/apis/%c3", "/v2/apis/%e2%82",
             "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2F..%2F..",
             "/v2/tags/%", "/v2/domainnames/%2e%2e", "/v2/apis/{{apiId}}/stages/%2e%2e",
             "/v2/apis/{{apiId}}/routes/{{routeId}}/requestparameters/%ff",
             "/v2/apis/{{apiId}}/stages/{{stageName}}/routesettings/%zz",
             "/v2/apis/{{apiId}}/exports/%2e%2e?outputType=JSON", "//v2/apis", "/v2/apis//",
             "/v2/apis/{{apiId}}//integrations", "/%76%32/apis", "/V2/APIS",
             "/v2/apis/{{apiId}}%2Fintegrations", "/v2/apis/\u00e9"]
    for i, p in enumerate(paths, 1):
        req("path-%02d" % i, "GET", p)
    for i, p in enumerate(paths[:8], 1):
        req("path-delete-%02d" % i, "DELETE", p)
        req("path-patch-%02d" % i, "PATCH", p, '{"name":"x"}')

    # ---- query strings ----
    series("query", [
        ("GET", APIS + "?maxResults=abc", None), ("GET", APIS + "?maxResults=-1", None),
        ("GET", APIS + "?maxResults=0", None), ("GET", APIS + "?maxResults=99999999999999999999", None),
        ("GET", APIS + "?maxResults=1.5", None), ("GET", APIS + "?maxResults=", None),
        ("GET", APIS + "?maxResults=%zz", None), ("GET", APIS + "?nextToken=garbage", None),
        ("GET", APIS + "?nextToken=" + "A" * 32, None), ("GET", APIS + "?nextToken=" + "A" * 20000, None),
        ("GET", INTS + "?maxResults=1e3", None), ("GET", ROUTES + "?nextToken=%ff%fe", None),
        ("GET", STAGES + "?maxResults=10&maxResults=abc", None, dict(
            expect="2xx", note="a repeated query parameter: the first value counts")),
        ("GET", API + "/exports/OAS30?outputType=XML", None),
        ("GET", API + "/exports/SWAGGER?outputType=JSON", None),
        ("GET", API + "/exports/OAS30", None),
        ("GET", API + "/exports/OAS30?outputType=JSON&stageName=%00", None, {}),
        ("DELETE", "/v2/tags/" + enc("arn:aws:apigateway:us-east-1::/apis/{{apiId}}"), None),
    ])

    # ---- content types ----
    api_body = '{"name":"ctype","protocolType":"HTTP"}'
    series("ctype", [
        ("POST", APIS, "name=ctype&protocolType=HTTP",
         dict(headers=["Content-Type: application/x-www-form-urlencoded"], **BAD)),
        ("POST", APIS, "<api><name>x</name></api>", dict(headers=["Content-Type: application/xml"], **BAD)),
        ("POST", APIS, "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--b--\r\n",
         dict(headers=["Content-Type: multipart/form-data; boundary=b"], **BAD)),
        ("POST", APIS, "name: ctype\nprotocolType: HTTP\n", dict(headers=["Content-Type: application/yaml"], **BAD)),
        ("POST", APIS, "plain words", dict(headers=["Content-Type: text/plain"], **BAD)),
        ("POST", APIS, "plain words", dict(headers=[], **BAD)),
        ("POST", INTS, b"\x1f\x8b\x08\x00\x00\x00\x00\x00", dict(
            headers=[JSON, "Content-Encoding: gzip"], **BAD)),
        # A JSON body under another media type is still JSON to AWS's rest-json front end.
        ("POST", APIS, api_body, dict(headers=["Content-Type: text/plain"], expect="2xx", echo="name",
                                      note="rest-json ignores the media type of a JSON body")),
        ("POST", APIS, api_body, dict(headers=[], expect="2xx", echo="name",
                                      note="no Content-Type: the body is still JSON")),
    ])

    # ---- chunked and empty bodies ----
    series("chunked", [
        ("POST", APIS, '{"name":"chunky","protocolType":"HTTP"}', dict(chunked=3, expect="2xx", echo="name",
                                                                        note="a valid body in 3-byte chunks")),
        ("POST", APIS, '{"name":"chunky","protocolType":', dict(chunked=4, **BAD)),
        ("POST", APIS, '', dict(chunked=1, **BAD)),
        ("POST", INTS, '{"integrationType":"BOGUS"}', dict(chunked=2, **BAD)),
        ("PATCH", INT, '{"timeoutInMillis":-5}', dict(chunked=5, **BAD)),
        ("POST", APIS, "[" * 5000 + "]" * 5000, dict(chunked=1000, **BAD)),
    ])
    series("empty", [
        ("POST", APIS, "", BAD), ("POST", INTS, "", BAD), ("POST", ROUTES, "", BAD),
        ("POST", STAGES, "", BAD), ("POST", API + "/authorizers", "", BAD),
        ("POST", "/v2/domainnames", "", BAD), ("POST", "/v2/vpclinks", "", BAD),
        ("PUT", APIS, "", BAD), ("POST", APIS, None, BAD), ("POST", INTS, "{}", BAD),
        ("POST", APIS, "{}", BAD), ("POST", WSAPI + "/models", "{}", BAD),
        ("PATCH", INT, "", dict(expect="2xx", note="an update that changes nothing")),
    ])

    # ---- methods ----
    series("method", [
        ("HEAD", APIS, None), ("HEAD", API, None), ("OPTIONS", APIS, None), ("OPTIONS", INT, None),
        ("TRACE", APIS, None), ("TRACE", "/", None), ("CONNECT", APIS, None),
        ("PROPFIND", APIS, None), ("FOO", INT, None), ("get", APIS, None),
        ("PATCH", APIS, '{"name":"x"}'), ("DELETE", APIS, None), ("PUT", INT, '{}'),
        ("POST", API, '{}'), ("HEAD", "/v2/nothing", None), ("OPTIONS", "*", None),
    ], note="no route answers this method here: 405 with Allow (or 404 for no such path)")

    # ---- malformed HTTP (answered by libmicrohttpd or apigwd; the server must stay up) ----
    host = b"Host: 127.0.0.1\r\n"
    raws = [
        (b"GET /v2/apis HTTP/1.1\r\n\r\n", "HTTP/1.1 without Host: 400 (RFC 9112 3.2)", {}),
        (b"GET /v2/apis HTTP/9.9\r\n" + host + b"\r\n", "unknown HTTP version: libmicrohttpd's "
         "own 505 (HTTP Version Not Supported), the one 5xx the corpus allows",
         dict(expect="505")),
        (b"GET\r\n\r\n", "request line without a target"),
        (b"GET /v2/apis HTTP/1.1\r\n" + host + b"NoColonHeader\r\n\r\n", "header line without a colon"),
        (b"GET /v2/apis HTTP/1.1\r\n" + host + b"X-Big: " + b"a" * 65536 + b"\r\n\r\n", "a 64 KiB header"),
        (b"POST /v2/apis HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
         "chunk size that is not hex"),
        (b"POST /v2/apis HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\n"
         b"ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n", "chunk size overflowing 64 bits"),
        (b"POST /v2/apis HTTP/1.1\r\n" + host + b"Content-Length: -1\r\n\r\n{}", "negative Content-Length"),
        (b"POST /v2/apis HTTP/1.1\r\n" + host + b"Content-Length: abc\r\n\r\n{}", "non-numeric Content-Length"),
        (b"POST /v2/apis HTTP/1.1\r\n" + host + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
         "two different Content-Length headers"),
        (b"POST /v2/apis HTTP/1.1\r\n" + host + b"Content-Length: 99999999999999999999999\r\n\r\n{}",
         "Content-Length past 64 bits"),
        (b"POST /v2/apis HTTP/1.1\r\n" + host + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
         b"2\r\n{}\r\n0\r\n\r\n", "Content-Length and chunked together (request smuggling shape)"),
        (b"GET /v2/apis HTTP/1.1\r\n" + host + b"X-A: b\r\n c\r\n\r\n", "obsolete header folding: "
         "RFC 9112 5.2 lets a server replace it with a space and go on", dict(expect="2xx")),
        (b"GET /v2/ap is HTTP/1.1\r\n" + host + b"\r\n", "a space inside the target"),
        (b"GET /v2/apis\x00x HTTP/1.1\r\n" + host + b"\r\n", "a NUL inside the target", dict(
            known_bug="libmicrohttpd hands apigwd the target cut at the NUL: served as GET "
            "/v2/apis (200) instead of refused")),
        (b"GET /v2/apis\xff HTTP/1.1\r\n" + host + b"\r\n", "a raw 0xFF byte in the target"),
    ]
    for i, (data, note, *kw) in enumerate(raws, 1):
        raw("http-%02d" % i, data, note, **(kw[0] if kw else {}))

    # ---- invalid values (right type, wrong content) ----
    series("value", [
        ("POST", APIS, '{"name":"v","protocolType":"FTP"}'),
        ("POST", APIS, '{"name":"v","protocolType":"http"}'),
        ("POST", APIS, '{"name":"","protocolType":"HTTP"}'),
        ("POST", APIS, '{"name":"v","protocolType":"WEBSOCKET"}'),
        ("POST", APIS, '{"name":"v","protocolType":"HTTP","routeSelectionExpression":"$request.body.x"}'),
        ("POST", APIS, '{"name":"v","protocolType":"HTTP","tags":{"aws:x":"v"}}'),
        ("POST", APIS, '{"name":"v","protocolType":"HTTP","target":"not a url"}'),
        ("POST", APIS, '{"name":"v","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.a","target":"https://e.com"}'),
        ("POST", INTS, '{"integrationType":"BOGUS"}'),
        ("POST", INTS, '{"integrationType":"MOCK"}'),
        ("POST", INTS, '{"integrationType":"AWS"}'),
        ("POST", INTS, '{"integrationType":"HTTP_PROXY"}'),
        ("POST", INTS, '{"integrationType":"HTTP_PROXY","integrationUri":"https://e.com","integrationMethod":"FETCH"}',
         dict(expect="2xx", note="spec 5: integrationMethod is any string of 1-64 characters")),
        ("POST", INTS, '{"integrationType":"AWS_PROXY","integrationUri":"%s","payloadFormatVersion":"3.0"}' % LAMBDA),
        ("POST", INTS, '{"integrationType":"AWS_PROXY","integrationUri":"%s","payloadFormatVersion":"2.0","timeoutInMillis":30001}' % LAMBDA),
        ("POST", INTS, '{"integrationType":"HTTP_PROXY","integrationUri":"https://e.com","integrationMethod":"GET","connectionType":"VPC_LINK"}'),
        ("POST", INTS, '{"integrationType":"HTTP_PROXY","integrationUri":"https://e.com","integrationMethod":"GET","requestParameters":{"bogus:header.a":"b"}}'),
        ("POST", ROUTES, '{"routeKey":"GET"}'), ("POST", ROUTES, '{"routeKey":"FETCH /a"}'),
        ("POST", ROUTES, '{"routeKey":"GET a"}'), ("POST", ROUTES, '{"routeKey":""}'),
        ("POST", ROUTES, '{"routeKey":"GET /v1","target":"integrations/nonexistent"}'),
        ("POST", ROUTES, '{"routeKey":"GET /v2","authorizationType":"JWT"}'),
        ("POST", ROUTES, '{"routeKey":"GET /v3","authorizationType":"BOGUS"}'),
        ("POST", STAGES, '{"stageName":"bad name!"}'), ("POST", STAGES, '{"stageName":""}'),
        ("POST", STAGES, '{"stageName":"v1","deploymentId":"nope"}'),
        ("POST", STAGES, '{"stageName":"v2","defaultRouteSettings":{"loggingLevel":"LOUD"}}'),
        ("POST", API + "/deployments", '{"stageName":"no-such-stage"}'),
        ("POST", API + "/authorizers", '{"name":"a","authorizerType":"TOKEN","identitySource":["$request.header.A"]}'),
        ("POST", "/v2/domainnames", '{"domainName":"not a domain"}'),
        ("POST", "/v2/domainnames/{{domainName}}/apimappings", '{"apiId":"nope","stage":"x"}'),
        ("POST", "/v2/vpclinks", '{"name":"v","subnetIds":[]}',
         dict(expect="2xx", note="subnetIds is required, but the model sets no minimum length")),
        ("POST", WSAPI + "/models", '{"name":"m","schema":"not json"}',
         dict(expect="2xx", note="spec 10: the schema is checked only when contentType is application/json")),
        ("POST", WSAPI + "/models", '{"name":"m2","schema":"not json","contentType":"application/json"}'),
        ("POST", WSAPI + "/models", '{"name":"m3","schema":"[1,2]","contentType":"application/json"}'),
        ("POST", WSAPI + "/models", '{"name":"bad name","schema":"{}"}'),
        ("PUT", APIS, '{"body":"not openapi"}'), ("PUT", APIS, '{"body":"{\\"openapi\\":\\"3.0.1\\"}"}'),
        ("PUT", APIS + "?failOnWarnings=maybe", json.dumps({"body": OPENAPI})),
        ("PUT", APIS + "?basepath=bogus", json.dumps({"body": OPENAPI})),
        ("POST", "/v2/tags/" + enc("arn:aws:apigateway:us-east-1::/apis/nope"), '{"tags":{"a":"b"}}'),
        ("POST", "/v2/tags/not-an-arn", '{"tags":{"a":"b"}}'),
        ("PATCH", API, '{"routeSelectionExpression":"nope"}'),
        ("PATCH", INT, '{"integrationType":"BOGUS"}'),
        ("PATCH", STAGE, '{"deploymentId":"nope"}'),
        ("PATCH", ROUTE, '{"routeKey":"NOPE"}'),
    ])


def imports():
    """ImportApi/ReimportApi with hostile OpenAPI documents (JSON and YAML)."""
    laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        "a%d: &a%d [%s]\n" % (i, i, ", ".join(["*a%d" % (i - 1)] * 9)) for i in range(1, 10))
    laughs = "openapi: 3.0.1\ninfo: {title: laughs, version: '1'}\npaths: {}\n" + laughs
    deep_yaml = "openapi: 3.0.1\ninfo: {title: deep, version: '1'}\npaths: " + "[" * 5000 + "]" * 5000
    deep_json = '{"openapi":"3.0.1","info":{"title":"deep","version":"1"},"x":' + "[" * 5000 + "]" * 5000 + "}"
    cycle = json.dumps({"openapi": "3.0.1", "info": {"title": "cycle", "version": "1"},
                        "paths": {"/a": {"get": {"responses": {"200": {"content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}},
                            "x-amazon-apigateway-integration": {
                                "type": "HTTP_PROXY", "httpMethod": "GET",
                                "uri": "https://example.com", "payloadFormatVersion": "1.0"}}}},
                        "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"},
                                                   "B": {"$ref": "#/components/schemas/A"}}}})
    series("import", [
        ("PUT", APIS, json.dumps({"body": laughs}), dict(
            note="billion laughs: 9^9 nodes after alias expansion")),
        ("PUT", API, json.dumps({"body": laughs}), dict(note="billion laughs, ReimportApi")),
        ("PUT", APIS, json.dumps({"body": deep_yaml}), dict(note="YAML nested 5000 deep")),
        ("PUT", APIS, json.dumps({"body": deep_json}), dict(note="JSON nested 5000 deep")),
        ("PUT", APIS + "?failOnWarnings=true", json.dumps({"body": cycle}),
         dict(note="a $ref cycle A -> B -> A: unresolvable, a warning; failOnWarnings refuses")),
        ("PUT", APIS, json.dumps({"body": "openapi: 3.0.1\ninfo: *undefined\n"}),
         dict(note="an alias to an anchor that does not exist")),
        ("PUT", APIS, json.dumps({"body": "openapi: 3.0.1\n\tinfo: tab\n"}), dict(note="a tab as indentation")),
        ("PUT", APIS, json.dumps({"body": "openapi: [3.0.1\n"}), dict(note="an unclosed flow sequence")),
        ("PUT", APIS, json.dumps({"body": "--- !!python/object:os.system\nargs: [id]\n"}),
         dict(note="a language-specific YAML tag: just data, and no OpenAPI document")),
        ("PUT", APIS, json.dumps({"body": "\u0000openapi: 3.0.1"}), dict(note="a NUL first")),
        ("PUT", APIS, json.dumps({"body": ""}), dict(note="an empty document")),
        ("PUT", APIS, json.dumps({"body": "openapi: 3.0.1\ninfo: {title: x, version: '1'}\n"
                                          "paths: {/a: {get: {x-amazon-apigateway-integration: "
                                          "{type: HTTP_PROXY, httpMethod: GET, uri: 'https://e.com', "
                                          "payloadFormatVersion: '1.0', timeoutInMillis: 1e400}}}}\n"}),
         dict(note="a huge number inside the integration extension")),
        ("PUT", APIS, json.dumps({"body": 5}), dict(note="body is not a string", **BAD)),
    ])


# ---- every operation with each required member missing (botocore model) ----

WS_KINDS = ("integrationresponses", "routeresponses", "models")
# Operations apigwd does not serve (server/unsupported.c): 404 NotFoundException naming them.
UNSUPPORTED = re.compile(r"Portal|ProductPage|ProductRestEndpointPage|RoutingRule")
URI_VALUES = {
    "apiId": "{{apiId}}", "integrationId": "{{integrationId}}", "routeId": "{{routeId}}",
    "stageName": "{{stageName}}", "deploymentId": "{{deploymentId}}",
    "authorizerId": "{{authorizerId}}", "modelId": "{{modelId}}",
    "integrationResponseId": "{{integrationResponseId}}",
    "routeResponseId": "{{routeResponseId}}", "domainName": "{{domainName}}",
    "apiMappingId": "{{apiMappingId}}", "vpcLinkId": "{{vpcLinkId}}",
    "specification": "OAS30", "requestParameterKey": "route.request.querystring.a",
    "routeKey": enc("GET /fixture"),
    "resource-arn": enc("arn:aws:apigateway:us-east-1::/apis/") + "{{apiId}}",
}
WS_URI = {"apiId": "{{wsApiId}}", "integrationId": "{{wsIntegrationId}}",
          "routeId": "{{wsRouteId}}"}
QUERY_VALUES = {"outputType": "JSON", "tagKeys": "a"}
BODY_VALUES = {  # operation-specific values for required body members (wire names)
    ("CreateApi", "protocolType"): "HTTP", ("CreateApi", "name"): "corpus-missing",
    ("CreateApiMapping", "stage"): "{{stageName}}", ("CreateApiMapping", "apiId"): "{{apiId}}",
    ("UpdateApiMapping", "apiId"): "{{apiId}}",
    ("CreateAuthorizer", "authorizerType"): "JWT",
    ("CreateAuthorizer", "identitySource"): ["$request.header.Authorization"],
    ("CreateAuthorizer", "name"): "corpus-missing",
    ("CreateDomainName", "domainName"): "corpus-missing.example.com",
    ("CreateIntegration", "integrationType"): "HTTP_PROXY",
    ("CreateIntegrationResponse", "integrationResponseKey"): "$default",
    ("CreateModel", "schema"): '{"type":"object"}', ("CreateModel", "name"): "corpusmissing",
    ("CreateRoute", "routeKey"): "GET /corpus-missing",
    ("CreateRouteResponse", "routeResponseKey"): "$default",
    ("CreateStage", "stageName"): "corpus-missing",
    ("CreateVpcLink", "subnetIds"): ["subnet-0123"], ("CreateVpcLink", "name"): "corpus-missing",
    ("ImportApi", "body"): OPENAPI, ("ReimportApi", "body"): OPENAPI,
}
# Optional members sent along so that the missing one is the only thing wrong.
KNOWN_BUGS = {}
BODY_EXTRA = {
    "CreateAuthorizer": {"jwtConfiguration": {"audience": ["corpus"],
                                              "issuer": "https://corpus.example.com"}},
    "CreateIntegration": {"integrationUri": "https://example.com", "integrationMethod": "GET",
                          "payloadFormatVersion": "1.0"},
}


def example(shapes, shape_name, depth=0):
    """A plausible value of a shape, for members the table above does not name."""
    s = shapes[shape_name]
    t = s["type"]
    if t == "string":
        return s["enum"][0] if "enum" in s else "corpus"
    if t in ("integer", "long"):
        return max(1, s.get("min", 1))
    if t in ("double", "float"):
        return 1.0
    if t == "boolean":
        return False
    if t == "list":
        return [example(shapes, s["member"]["shape"], depth + 1)]
    if t == "map":
        return {}
    if t == "structure":
        if depth > 3:
            return {}
        return {m["locationName"] if "locationName" in m else k:
                example(shapes, m["shape"], depth + 1)
                for k, m in s["members"].items() if k in s.get("required", [])}
    return "corpus"


def required():
    with gzip.open(MODEL) as f:
        model = json.load(f)
    shapes = model["shapes"]
    ops = model["operations"]
    by_route = {(o["http"]["method"], o["http"]["requestUri"].split("?")[0]): n
                for n, o in ops.items()}
    count = 0
    for name, op in sorted(ops.items()):
        inp = op.get("input", {}).get("shape")
        if not inp:
            continue
        shape = shapes[inp]
        req_members = shape.get("required", [])
        if not req_members:
            continue
        method = op["http"]["method"]
        template = op["http"]["requestUri"].split("?")[0]
        ws = any("/" + k in template for k in WS_KINDS)

        def wire(m):
            return shape["members"][m].get("locationName", m[0].lower() + m[1:])

        def build(missing):
            path = template
            query = []
            body = {}
            for m in req_members:
                loc = shape["members"][m].get("location", "body")
                w = wire(m)
                if m in missing:
                    if loc == "uri":
                        path = path.replace("{%s}" % w, "")
                    continue
                if loc == "uri":
                    v = (WS_URI.get(w) if ws else None) or URI_VALUES.get(w, "corpus0")
                    path = path.replace("{%s}" % w, v)
                elif loc == "querystring":
                    query.append("%s=%s" % (w, QUERY_VALUES.get(w, "corpus")))
                elif loc == "header":
                    pass
                else:
                    v = BODY_VALUES.get((name, w))
                    body[w] = v if v is not None else example(shapes, shape["members"][m]["shape"])
            for k, v in BODY_EXTRA.get(name, {}).items():
                body.setdefault(k, v)
            if ws:
                path = path.replace("{{apiId}}", "{{wsApiId}}")
            return path + ("?" + "&".join(query) if query else ""), body

        body_members = [m for m in req_members
                        if shape["members"][m].get("location", "body") == "body"]
        sends_body = method in ("POST", "PUT", "PATCH")
        for m in req_members:
            loc = shape["members"][m].get("location", "body")
            w = wire(m)
            path, body = build({m})
            expect, note, kw = "4xx", "%s without its required %s member %s" % (name, loc, w), {}
            if loc == "body":
                kw = dict(error="BadRequestException")
            if name in KNOWN_BUGS.get(w, ()):
                kw["known_bug"] = KNOWN_BUGS[w][name]
            if loc == "uri":
                # With the parameter empty, a path whose last segment was the parameter is the
                # collection's path: AWS (and apigwd) answer GET /v2/apis/ as GetApis, and
                # PUT /v2/apis/ is ImportApi.
                alias = by_route.get((method, template[:template.rfind("/{")]))
                if template.endswith("{%s}" % w) and alias and alias != name and \
                        method in ("GET", "PUT") and not UNSUPPORTED.search(alias):
                    expect = "2xx"
                    note += "\n-> the collection's path, answered as %s (2xx)" % alias
            if UNSUPPORTED.search(name) and loc != "uri":
                kw = dict(error="NotFoundException")
                note += "\n(an operation apigwd does not serve: 404 naming it)"
            req("required-%s-%s" % (name, w.replace("-", "")), method, path,
                json.dumps(body) if sends_body else None, expect=expect, note=note, **kw)
            count += 1
        if len(body_members) >= 1 and sends_body:
            path, body = build(set(body_members))
            kw = dict(error="BadRequestException")
            if UNSUPPORTED.search(name):
                kw = dict(error="NotFoundException")
            if name in KNOWN_BUGS.get("all", ()):
                kw["known_bug"] = KNOWN_BUGS["all"][name]
            req("required-%s-all" % name, method, path, json.dumps(body),
                note="%s with none of its required body members" % name, **kw)
            count += 1
    return count


def main():
    for f in os.listdir(HERE):
        if f.endswith(".req"):
            os.unlink(os.path.join(HERE, f))
    hand()
    imports()
    n = required()
    print("wrote %d files (%d from the model's required members)" % (len(written), n))


if __name__ == "__main__":
    main()
