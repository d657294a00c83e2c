// api.mjs — the console's client of apigwd's REST API (/v2/, as any AWS SDK calls it) and of the
// data-plane status (/dataplane/v1/workers). camelCase JSON in and out; an error answer
// ({message} + x-amzn-ErrorType) becomes an ApiError. With credentials (apigwd --auth sigv4)
// every request is signed in the page with SigV4 (sigv4.mjs); the credentials live in this
// module's memory only — never in storage, cookies or the URL — and are gone on reload.

import { signRequest } from './sigv4.mjs';

export class ApiError extends Error {
  constructor(status, name, message, body) {
    super(message);
    this.status = status;  // HTTP status, 0 when the request never got an answer
    this.name = name;      // x-amzn-ErrorType (e.g. BadRequestException)
    this.body = body;      // the parsed error body, or null
  }

  /** Whether signing in (or other credentials) could help. */
  get isAuth() {
    return this.status === 401 || this.status === 403;
  }
}

let credentials = null;  // {accessKeyId, secretAccessKey, sessionToken?}
let region = '';         // the region requests are signed for ('' until signed in)
let dataplaneToken = '';  // Bearer token of --dataplane-token, if any
const listeners = new Set();

/** Sets (or, with null, forgets) the credentials and the signing region. */
export function setCredentials(creds, signingRegion) {
  credentials = creds && creds.accessKeyId && creds.secretAccessKey ? { ...creds } : null;
  region = credentials ? signingRegion || 'us-east-1' : '';
  for (const fn of listeners) fn();
}

export function signedIn() {
  return credentials !== null;
}

/** {accessKeyId, region} of the current credentials (never the secret), or null. */
export function identity() {
  return credentials ? { accessKeyId: credentials.accessKeyId, region } : null;
}

export function setDataplaneToken(token) {
  dataplaneToken = token || '';
}

/** Calls fn whenever the credentials change. */
export function onCredentials(fn) {
  listeners.add(fn);
}

function errorName(header, status) {
  // AWS may append ":http://internal..." to the name.
  if (header) return header.split(':')[0];
  return status === 404 ? 'NotFoundException' : status >= 500 ? 'InternalServerException' : `HTTP ${status}`;
}

/**
 * One request. path is the raw path (each dynamic segment already encoded with seg()); query
 * an object of strings (undefined values skipped); body an object (sent as JSON). Returns the
 * parsed answer (null for none) or throws ApiError.
 */
export async function request(method, path, { query, body } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.append(k, v);
  }
  // URLSearchParams writes spaces as '+'; SigV4 (and apigwd) want %20.
  url.search = url.search.replace(/\+/g, '%20');
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = {};
  if (text !== undefined) headers['content-type'] = 'application/json';
  if (path.startsWith('/dataplane/') && dataplaneToken) {
    headers.authorization = `Bearer ${dataplaneToken}`;
  } else if (credentials) {
    const signed = await signRequest({ method, url: url.href, body: text ?? '', credentials, region });
    Object.assign(headers, signed.headers);
  }
  let resp;
  try {
    resp = await fetch(url, { method, headers, body: text, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new ApiError(0, 'NetworkError', `apigwd did not answer: ${e.message}`, null);
  }
  const raw = await resp.text();
  let parsed = null;
  if (raw) {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = null;
    }
  }
  if (!resp.ok) {
    const name = errorName(resp.headers.get('x-amzn-ErrorType'), resp.status);
    const message = (parsed && (parsed.message || parsed.Message)) || raw || resp.statusText;
    throw new ApiError(resp.status, name, message, parsed);
  }
  return parsed;
}

/** A path segment, percent-encoded (ids, stage names, ARNs in tag paths). */
export function seg(s) {
  return encodeURIComponent(s);
}

/** Every item of a paged list operation (maxResults/nextToken), in order. */
export async function listAll(path, query = {}) {
  const items = [];
  let token;
  for (let page = 0; page < 1000; page++) {
    const r = await request('GET', path, { query: { ...query, maxResults: '100', nextToken: token } });
    items.push(...(r.items || []));
    token = r.nextToken;
    if (!token) break;
  }
  return items;
}

let accountCache = null;

/**
 * The caller's account id: a 12-digit access key id is the account (apigwd's convention);
 * otherwise GetApi of an id that cannot exist, whose NotFoundException names the account
 * ("Invalid API identifier specified {accountId}:{apiId}", AWS's message); 000000000000
 * (apigwd's default account) when neither tells.
 */
export async function callerAccount() {
  if (credentials && /^\d{12}$/.test(credentials.accessKeyId)) return credentials.accessKeyId;
  const key = credentials ? credentials.accessKeyId : '';
  if (accountCache && accountCache.key === key) return accountCache.account;
  let account = '000000000000';
  try {
    await request('GET', '/v2/apis/0000000000');
  } catch (e) {
    const m = /specified (\d{12}):/.exec(e.message || '');
    if (m) account = m[1];
  }
  accountCache = { key, account };
  return account;
}
