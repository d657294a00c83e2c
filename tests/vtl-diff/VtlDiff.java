/* VtlDiff.java — the differential test's oracle: stock Apache Velocity 1.7 configured as AWS API
 * Gateway runs it (docs/vtl.md): an undefined reference is a value that renders empty (and so is
 * true in #if), a null rendered renders empty, inline macros are off. Renders every case of a
 * corpus file with the variables of a JSON file bound as Java values (object → LinkedHashMap,
 * array → ArrayList, integer → Integer or Long, real → Double, string, boolean), writing
 * OUTDIR/NAME.out for each case, or OUTDIR/NAME.err when Velocity refuses or fails it.
 *
 * usage: java -cp velocity.jar:commons-collections3.jar:commons-lang.jar:. VtlDiff CORPUS VARS OUTDIR
 * Corpus: cases separated by lines "=== NAME"; a case's text is every line up to the next
 * separator, its final newline excluded. tests/e2e/test_vtl_diff.py compiles and runs this. */
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import org.apache.velocity.app.event.EventCartridge;
import org.apache.velocity.app.event.ReferenceInsertionEventHandler;

public class VtlDiff {
	/* What an undefined reference is on AWS: not null (so #if counts it true, #set stores it),
	 * rendering as nothing. */
	static final class Undefined {
		public String toString() { return ""; }
	}
	static final Undefined UNDEFINED = new Undefined();

	static final class AwsContext extends VelocityContext {
		AwsContext(Map<String, Object> vars) { super(new HashMap<String, Object>(vars)); }
		public Object internalGet(String key) {
			Object o = super.internalGet(key);
			/* Velocity's own bookkeeping keys (".literal.$x" ...) stay null. */
			boolean name = !key.isEmpty() && (Character.isLetter(key.charAt(0)) || key.charAt(0) == '_');
			return o == null && name ? UNDEFINED : o;
		}
	}

	/* A small JSON reader (Java 17 has none). */
	static final class Json {
		final String s; int i;
		Json(String s) { this.s = s; }
		void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
		Object value() {
			ws();
			char c = s.charAt(i);
			if (c == '{') {
				Map<String, Object> m = new LinkedHashMap<>();
				i++; ws();
				if (s.charAt(i) == '}') { i++; return m; }
				for (;;) {
					ws(); String k = (String) value(); ws(); i++; /* : */
					m.put(k, value()); ws();
					if (s.charAt(i++) == '}') return m;
				}
			}
			if (c == '[') {
				List<Object> l = new ArrayList<>();
				i++; ws();
				if (s.charAt(i) == ']') { i++; return l; }
				for (;;) {
					l.add(value()); ws();
					if (s.charAt(i++) == ']') return l;
				}
			}
			if (c == '"') {
				StringBuilder b = new StringBuilder();
				i++;
				for (;;) {
					char d = s.charAt(i++);
					if (d == '"') return b.toString();
					if (d != '\\') { b.append(d); continue; }
					d = s.charAt(i++);
					switch (d) {
					case 'n': b.append('\n'); break;
					case 't': b.append('\t'); break;
					case 'r': b.append('\r'); break;
					case 'b': b.append('\b'); break;
					case 'f': b.append('\f'); break;
					case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
					default: b.append(d);
					}
				}
			}
			if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
			if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
			if (s.startsWith("null", i)) { i += 4; return null; }
			int st = i;
			while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
			String n = s.substring(st, i);
			if (n.contains(".") || n.contains("e") || n.contains("E")) return Double.valueOf(n);
			long v = Long.parseLong(n);
			if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return Integer.valueOf((int) v);
			return Long.valueOf(v);
		}
	}

	public static void main(String[] args) throws Exception {
		String corpus = new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8);
		@SuppressWarnings("unchecked")
		Map<String, Object> vars = (Map<String, Object>) new Json(
			new String(Files.readAllBytes(Paths.get(args[1])), StandardCharsets.UTF_8)).value();
		Path out = Paths.get(args[2]);
		Files.createDirectories(out);

		VelocityEngine ve = new VelocityEngine();
		ve.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
		ve.setProperty("velocimacro.permissions.allow.inline", "false");
		ve.init();

		List<String> names = new ArrayList<>();
		List<String> texts = new ArrayList<>();
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^=== (\\S+)\n").matcher(corpus);
		int prev = -1;
		while (m.find()) {
			if (prev >= 0)
				texts.add(corpus.substring(prev, m.start()));
			names.add(m.group(1));
			prev = m.end();
		}
		if (prev >= 0)
			texts.add(corpus.substring(prev));
		for (int k = 0; k < names.size(); k++) {
			String t = texts.get(k);
			if (t.endsWith("\n")) t = t.substring(0, t.length() - 1); /* the separator's newline */
			String name = names.get(k);
			AwsContext ctx = new AwsContext(deepCopy(vars));
			EventCartridge ec = new EventCartridge();
			ec.addEventHandler(new ReferenceInsertionEventHandler() {
				public Object referenceInsert(String ref, Object value) { return value == null ? "" : value; }
			});
			ec.attachToContext(ctx);
			StringWriter w = new StringWriter();
			try {
				ve.evaluate(ctx, w, name, t);
				Files.write(out.resolve(name + ".out"), w.toString().getBytes(StandardCharsets.UTF_8));
			} catch (Exception e) {
				StringWriter sw = new StringWriter(); e.printStackTrace(new PrintWriter(sw)); Files.write(out.resolve(name + ".err"), (System.getenv("VTLDIFF_TRACE") != null ? sw.toString() : String.valueOf(e)).getBytes(StandardCharsets.UTF_8));
			}
		}
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> deepCopy(Map<String, Object> m) {
		Map<String, Object> r = new LinkedHashMap<>();
		for (Map.Entry<String, Object> e : m.entrySet()) r.put(e.getKey(), copy(e.getValue()));
		return r;
	}
	@SuppressWarnings("unchecked")
	static Object copy(Object o) {
		if (o instanceof Map) return deepCopy((Map<String, Object>) o);
		if (o instanceof List) {
			List<Object> l = new ArrayList<>();
			for (Object x : (List<Object>) o) l.add(copy(x));
			return l;
		}
		return o;
	}
}
