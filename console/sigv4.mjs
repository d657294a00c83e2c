// sigv4.mjs — AWS Signature Version 4 for the console's requests, with Web Crypto only (the
// browser's crypto.subtle; Node 18+ has the same object, so tests/console/sigv4.test.mjs runs
// this very file against AWS's published vectors and botocore's answers).
//
// The canonical request is built as botocore builds it for a non-S3 service, which is what
// apigwd's verifier (server/sigv4.c) expects:
//   METHOD \n canonical URI \n canonical query \n canonical headers \n signed headers \n
//   hex SHA-256 of the body
// - canonical URI: the request path as sent (already percent-encoded), dot segments and empty
//   segments removed, then encoded once more (every byte but A-Z a-z 0-9 - _ . ~ /), so the
//   "%3A" of a tag ARN is signed as "%253A";
// - canonical query: each name and value decoded, re-encoded (RFC 3986, upper-case hex) and
//   sorted by name, then value;
// - signed headers: host and x-amz-date (the browser sends Host itself, with the port).

const encoder = new TextEncoder();

function hex(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

function bytes(data) {
  if (data === undefined || data === null) return new Uint8Array(0);
  if (typeof data === 'string') return encoder.encode(data);
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

/** Lower-case hex SHA-256 of a string (UTF-8) or bytes. */
export async function sha256Hex(data) {
  return hex(await crypto.subtle.digest('SHA-256', bytes(data)));
}

async function hmac(key, message) {
  const k = await crypto.subtle.importKey('raw', bytes(key), { name: 'HMAC', hash: 'SHA-256' },
    false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, bytes(message)));
}

/** Percent-encodes every byte of s's UTF-8 form but A-Z a-z 0-9 - _ . ~ (and those in `keep`),
 *  with upper-case hex: RFC 3986 as SigV4 wants it. */
export function uriEncode(s, keep = '') {
  let out = '';
  for (const b of encoder.encode(s)) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(ch) || keep.includes(ch)) out += ch;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The canonical URI of a raw (percent-encoded) request path. */
export function canonicalUri(rawPath) {
  const segments = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  let path = '/' + segments.join('/');
  if (rawPath.endsWith('/') && path !== '/') path += '/';
  return uriEncode(path, '/');
}

function decode(s) {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

/** The canonical query string of a raw query ("b=2&a=1", without the '?'). */
export function canonicalQuery(rawQuery) {
  if (!rawQuery) return '';
  const pairs = rawQuery.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    const name = eq < 0 ? p : p.slice(0, eq);
    const value = eq < 0 ? '' : p.slice(eq + 1);
    return [uriEncode(decode(name)), uriEncode(decode(value))];
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** yyyymmddThhmmssZ of a Date. */
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Signs one request. Returns the headers to add: {'x-amz-date', authorization} (and
 * 'x-amz-security-token' when a session token is given).
 *   method       'GET', 'POST' ...
 *   url          the absolute URL the request goes to (its host, with the port, is signed)
 *   body         the body as sent (string or bytes), or undefined
 *   credentials  {accessKeyId, secretAccessKey, sessionToken?}
 *   region       the scope's region; service the scope's service (apigateway)
 *   date         the signing time (a Date; default now)
 *   headers      extra headers to sign, {name: value} (optional)
 */
export async function signRequest({ method, url, body, credentials, region, service = 'apigateway',
  date = new Date(), headers = {} }) {
  const u = new URL(url);
  const when = amzDate(date);
  const day = when.slice(0, 8);
  const all = { host: u.host, 'x-amz-date': when };
  if (credentials.sessionToken) all['x-amz-security-token'] = credentials.sessionToken;
  for (const [k, v] of Object.entries(headers)) all[k.toLowerCase()] = String(v);
  const names = Object.keys(all).sort();
  const canonicalHeaders = names
    .map((n) => `${n}:${all[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    method.toUpperCase(),
    canonicalUri(u.pathname),
    canonicalQuery(u.search.replace(/^\?/, '')),
    canonicalHeaders,
    signedHeaders,
    await sha256Hex(body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', when, scope, await sha256Hex(canonicalRequest)]
    .join('\n');
  let key = await hmac('AWS4' + credentials.secretAccessKey, day);
  key = await hmac(key, region);
  key = await hmac(key, service);
  key = await hmac(key, 'aws4_request');
  const signature = hex(await hmac(key, stringToSign));
  const out = {
    'x-amz-date': when,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
  if (credentials.sessionToken) out['x-amz-security-token'] = credentials.sessionToken;
  for (const k of Object.keys(headers)) out[k.toLowerCase()] = all[k.toLowerCase()];
  return { headers: out, canonicalRequest, stringToSign, signature };
}
