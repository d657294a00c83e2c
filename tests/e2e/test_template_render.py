"""`apigwd template render` on the AWS documentation's own mapping-template examples
(tests/e2e/data/vtl-docs/README.md says where each comes from), compared with the output the
documentation shows: byte for byte where the guide shows the exact text, as JSON where it shows
the document pretty-printed or as a JavaScript-like object. Then the command's errors: a template
error exits 1 with LINE:COLUMN: message, a usage or input error exits 2.
"""
import json
import os
import subprocess
import tempfile
import unittest

from harness import BINARY

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "vtl-docs")


def doc(name):
    return os.path.join(DOCS, name)


def render(template, *args, stdin=None):
    """(exit status, stdout, stderr) of apigwd template render."""
    p = subprocess.run([BINARY, "template", "render", template] + list(args), input=stdin,
                       capture_output=True, timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class TempFiles:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="apigwd-tpl-")

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text if isinstance(text, str) else json.dumps(text))
        return path


class DocumentationExamples(unittest.TestCase):
    def setUp(self):
        self.tmp = TempFiles()

    def assertRendersJson(self, template, want, *args):
        rc, out, err = render(template, *args)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out), want, out)
        return out

    def test_photos_output_template(self):
        with open(doc("photos-transformed.json")) as f:
            want = json.load(f)
        out = self.assertRendersJson(doc("photos-output.vtl"), want, "--body",
                                     doc("photos-body.json"))
        # As Velocity writes it: the #if line keeps its blanks, the #end lines go.
        self.assertIn('      "isfamily": 0\n    },\t\t\n    {\n', out)

    def test_photos_input_template_gives_the_original_data(self):
        with open(doc("photos-body.json")) as f:
            want = json.load(f)
        self.assertRendersJson(doc("photos-input.vtl"), want, "--body", doc("photos-body.json"))

    def test_grocery_output_template(self):
        with open(doc("grocery-output.json")) as f:
            want = json.load(f)
        out = self.assertRendersJson(doc("grocery.vtl"), want, "--body", doc("grocery-body.json"))
        self.assertIn('"suggestedPrice": "0.19 per each"', out)  # a Double as Java prints it

    def test_parse_json_exact(self):
        rc, out, err = render(doc("parsejson.vtl"), "--body", doc("parsejson-body.json"))
        self.assertEqual(rc, 0, err)
        with open(doc("parsejson-output.txt")) as f:
            self.assertEqual(out, f.read())

    def test_input_request_and_response(self):
        params = self.tmp.write("params.json", {"path": {"id": "abc"}, "querystring": {},
                                                "header": {}})
        rc, out, err = render(doc("things.vtl"), "--body", doc("things-body.json"), "--params",
                              params)
        self.assertEqual(rc, 0, err)
        self.assertIn('"id" : "abc",\n', out)
        self.assertIn('"count" : "3",\n', out)
        # The guide shows the backend's echo of "things"; the template itself writes the JSON
        # through escapeJavaScript, which escapes the quotes (as the same page warns).
        self.assertIn('"things" : {\\"1\\":{},\\"2\\":{},\\"3\\":{}}\n', out)
        self.assertEqual(json.loads(out.replace('\\"', '"')),
                         {"id": "abc", "count": "3", "things": {"1": {}, "2": {}, "3": {}}})

    def test_input_name_and_body(self):
        tpl = self.tmp.write("t.vtl", '{\n    "name" : "$input.params(\'name\')",\n'
                                      '    "body" : $input.json(\'$\') \n}')
        body = self.tmp.write("b.json", '{"mykey": {"a": [1, 2.5, "x"]}, "n": null}')
        params = self.tmp.write("p.json", {"path": {}, "querystring": {"name": "me"},
                                           "header": {}})
        self.assertRendersJson(tpl, {"name": "me", "body": {"mykey": {"a": [1, 2.5, "x"]},
                                                            "n": None}},
                               "--body", body, "--params", params)
        tpl2 = self.tmp.write("t2.vtl", '{\n    "name" : "$input.params(\'name\')",\n'
                                        '    "body" : $input.json(\'$.mykey\')  \n}')
        self.assertRendersJson(tpl2, {"name": "me", "body": {"a": [1, 2.5, "x"]}},
                               "--body", body, "--params", params)

    def test_all_parameters(self):
        params = {"path": {"petId": "7"}, "querystring": {"q": "a'b", "page": "2"},
                  "header": {"Host": "example.com", "X-Quote": "say \"hi\""}}
        p = self.tmp.write("p.json", params)
        rc, out, err = render(doc("params.vtl"), "--params", p)
        self.assertEqual(rc, 0, err)
        # escapeJavaScript writes \' for a quote, which JSON does not know (the guide's caveat).
        got = json.loads(out.replace("\\'", "'"))
        self.assertEqual(got, {"params": params})

    def test_context_variables(self):
        # The guide's sample output, as values.
        want = {"stage": "prod", "request_id": "abcdefg-000-000-0000-abcdefg",
                "api_id": "abcd1234", "resource_path": "/", "resource_id": "efg567",
                "http_method": "GET", "source_ip": "192.0.2.1", "user-agent": "curl/7.84.0",
                "account_id": "111122223333", "api_key": "MyTestKey", "caller": "ABCD-0000-12345",
                "user": "ABCD-0000-12345",
                "user_arn": "arn:aws:sts::111122223333:assumed-role/Admin/carlos-salazar"}
        ctx = {"stage": "prod", "requestId": want["request_id"], "apiId": "abcd1234",
               "resourcePath": "/", "resourceId": "efg567", "httpMethod": "GET",
               "identity": {"sourceIp": "192.0.2.1", "userAgent": "curl/7.84.0",
                            "accountId": "111122223333", "apiKey": "MyTestKey",
                            "caller": "ABCD-0000-12345", "user": "ABCD-0000-12345",
                            "userArn": want["user_arn"]}}
        self.assertRendersJson(doc("context.vtl"), want, "--context", self.tmp.write("c.json", ctx))
        # Unset values render empty (the WebSocket variables have no resourcePath).
        del ctx["resourcePath"]
        want["resource_path"] = ""
        self.assertRendersJson(doc("context.vtl"), want, "--context", self.tmp.write("c.json", ctx))

    def test_escape_javascript_then_unescape_quotes(self):
        tpl = self.tmp.write("t.vtl", '{"data": "$util.escapeJavaScript($input.path(\'$.d\'))'
                                      '.replaceAll("\\\\\'","\'")"}')
        body = self.tmp.write("b.json", {"d": "it's \"quoted\"\nnew line"})
        self.assertRendersJson(tpl, {"data": "it's \"quoted\"\nnew line"}, "--body", body)

    def test_stage_variables_three_ways(self):
        tpl = self.tmp.write("t.vtl", "$stageVariables.fn|$stageVariables['fn']|"
                                      "${stageVariables['fn']}")
        sv = self.tmp.write("sv.json", {"fn": "HelloWorld"})
        rc, out, err = render(tpl, "--stage-variables", sv)
        self.assertEqual((rc, out), (0, "HelloWorld|HelloWorld|HelloWorld"), err)

    def test_aws_differences(self):
        """The recorded AWS-vs-Velocity differences (docs/vtl.md)."""
        tpl = self.tmp.write("t.vtl", "[$nope]#if($nope)T#end|$input.path('$.o')|$input.path('$.l')"
                                      "|$util.urlEncode('a b')")
        body = self.tmp.write("b.json", {"o": {"foo": [{"nested": "bar"}]}, "l": [{"foo": "bar"}]})
        rc, out, err = render(tpl, "--body", body)
        self.assertEqual((rc, out), (0, '[]T|{foo=[{"nested":"bar"}]}|[{"foo":"bar"}]|a+b'), err)
        empty = self.tmp.write("e.txt", "")
        rc, out, err = render(self.tmp.write("b.vtl", "$input.body"), "--body", empty)
        self.assertEqual((rc, out), (0, "{}"), err)


class Errors(unittest.TestCase):
    def setUp(self):
        self.tmp = TempFiles()

    def test_syntax_error_exit_1_with_position(self):
        tpl = self.tmp.write("t.vtl", "line one\n  #if($a == 1)\n  x\n")
        self.assertEqual(render(tpl), (1, "", "2:3: #if without #end\n"))
        tpl = self.tmp.write("t.vtl", "ends in $")
        self.assertEqual(render(tpl)[0::2], (1, "1:9: a template cannot end in a bare '$'\n"))
        tpl = self.tmp.write("t.vtl", '#set($x = "\\"x\\"")')
        rc, out, err = render(tpl)
        self.assertEqual((rc, out), (1, ""))
        self.assertRegex(err, r"^1:\d+: ")

    def test_runtime_error_exit_1_with_position(self):
        tpl = self.tmp.write("t.vtl", "ok\n#set($s = 'abc')\n  $s.substring(5)")
        self.assertEqual(render(tpl), (1, "", "3:6: substring: index out of range: begin 5, "
                                             "end 3, length 3\n"))
        tpl = self.tmp.write("t.vtl", "#foreach($i in [1..1001])#end")
        self.assertEqual(render(tpl)[0::2], (1, "1:1: #foreach ran more than 1000 iterations\n"))

    def test_template_from_standard_input(self):
        body = self.tmp.write("b.json", {"a": 5})
        self.assertEqual(render("-", "--body", body, stdin=b"a=$input.path('$.a')"),
                         (0, "a=5", ""))

    def test_usage_errors_exit_2(self):
        self.assertEqual(subprocess.run([BINARY, "template"], capture_output=True).returncode, 2)
        self.assertEqual(subprocess.run([BINARY, "template", "frobnicate"],
                                        capture_output=True).returncode, 2)
        self.assertEqual(render("/nonexistent/t.vtl")[0], 2)
        tpl = self.tmp.write("t.vtl", "x")
        self.assertEqual(render(tpl, "--bogus")[0], 2)
        self.assertEqual(render(tpl, "extra-operand")[0], 2)
        rc, _, err = render(tpl, "--context", self.tmp.write("c.json", "[1]"))
        self.assertEqual(rc, 2)
        self.assertIn("must be a JSON object", err)
        rc, _, err = render(tpl, "--stage-variables", self.tmp.write("s.json", "{nope"))
        self.assertEqual(rc, 2)
        self.assertEqual(render("-", "--body", "-", stdin=b"")[0], 2)
        p = subprocess.run([BINARY, "template", "render", "--help"], capture_output=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"usage: apigwd template render", p.stdout)


if __name__ == "__main__":
    unittest.main()
