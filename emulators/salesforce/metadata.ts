// The Metadata API subset Cordon uses, over SOAP as jsforce 3 speaks it: POST /services/Soap/m/<version> with a
// readMetadata / updateMetadata / listMetadata envelope, the session id in the SessionHeader; answers are SOAP
// envelopes in the metadata namespace, faults are 500 with `sf:<CODE>` fault codes (Metadata API Developer Guide:
// readMetadata, updateMetadata, listMetadata, Profile; SOAP API Developer Guide: faults). Only Profile is modelled,
// and of a profile only its login IP ranges.
import type { CallContext, EmuRequest, EmuResponse } from '../core/http.ts';
import { ipv4ToNumber, type Org, type OrgProfile } from './org.ts';
import type { SalesforceLoginIpRange } from './scenario.ts';

export interface XmlNode {
  /** Local name, without its namespace prefix. */
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) =>
    e.startsWith('#x') || e.startsWith('#X') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (ENTITIES[e] ?? whole),
  );
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A small, strict-enough XML reader for SOAP envelopes: elements, attributes, text; no DTDs. */
export function parseXml(text: string): XmlNode {
  const root: XmlNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>/g;
  let last = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const between = text.slice(last, m.index);
    if (/[<>]/.test(between)) throw new Error('malformed XML');
    stack.at(-1)!.text += decode(between);
    last = tag.lastIndex;
    if (m[5] !== undefined) {
      stack.at(-1)!.text += m[5];
      continue;
    }
    if (!m[2]) continue; // declaration or comment
    const name = m[2].includes(':') ? m[2].slice(m[2].indexOf(':') + 1) : m[2];
    if (m[1]) {
      const open = stack.pop();
      if (!open || open === root || open.name !== name) throw new Error(`malformed XML: unexpected </${m[2]}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (m[3] ?? '').matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = decode(a[2] ?? a[3] ?? '');
    const node: XmlNode = { name, attrs, children: [], text: '' };
    stack.at(-1)!.children.push(node);
    if (!m[4]) stack.push(node);
  }
  if (stack.length !== 1 || /[<>]/.test(text.slice(last))) throw new Error('malformed XML: unclosed element');
  return root;
}

const child = (node: XmlNode | undefined, name: string) => node?.children.find((c) => c.name === name);
const childrenNamed = (node: XmlNode | undefined, name: string) => node?.children.filter((c) => c.name === name) ?? [];
const textOf = (node: XmlNode | undefined, name: string) => child(node, name)?.text.trim();

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';

function envelope(status: number, body: string): EmuResponse {
  return { status, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body: `${ENVELOPE_OPEN}<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>` };
}

/** A SOAP fault: HTTP 500, `<faultcode>sf:CODE</faultcode>`, the faultstring starting with the code (SOAP API Developer Guide: faults). */
export function soapFault(code: string, message: string): EmuResponse {
  const faultcode = code.includes(':') ? code : `sf:${code}`;
  const faultstring = code.includes(':') ? message : `${code}: ${message}`;
  return {
    status: 500,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="http://soap.sforce.com/2006/04/metadata">' +
      `<soapenv:Body><soapenv:Fault><faultcode>${escapeXml(faultcode)}</faultcode><faultstring>${escapeXml(faultstring)}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
  };
}

const el = (name: string, inner: string, attrs = '') => `<${name}${attrs}>${inner}</${name}>`;
const textEl = (name: string, value: string) => el(name, escapeXml(value));

function profileXml(p: OrgProfile): string {
  const ranges = p.loginIpRanges
    .map((r) => el('loginIpRanges', `${r.description !== undefined ? textEl('description', r.description) : ''}${textEl('endAddress', r.endAddress)}${textEl('startAddress', r.startAddress)}`))
    .join('');
  return `${textEl('fullName', p.fullName)}${textEl('custom', String(p.custom))}${ranges}`;
}

/** readMetadata and updateMetadata take at most 10 components per call (Metadata API Developer Guide). */
const COMPONENT_LIMIT = 10;

export interface MetadataApiOptions {
  org: Org;
  /** Versions the org serves. */
  versionOk(version: number): boolean;
  /** Counts the call against the org's daily API allowance; a response when it is exhausted. */
  countApiCall(): EmuResponse | undefined;
}

/** POST /services/Soap/m/:version */
export function metadataSoapHandler(options: MetadataApiOptions): (req: EmuRequest, call: CallContext) => EmuResponse {
  const { org } = options;
  return (req, call) => {
    const version = /^(\d+)\.0$/.exec(req.params.version ?? '');
    if (!version || !options.versionOk(Number(version[1]))) return soapFault('UNSUPPORTED_API_VERSION', `Invalid Api version specified on URL`); // text [unverified]
    let doc: XmlNode;
    try {
      doc = parseXml(req.rawBody.toString('utf8'));
    } catch (err) {
      return soapFault('soapenv:Client', `Unable to parse the request: ${(err as Error).message}`); // [unverified]
    }
    const env = child(doc, 'Envelope');
    const sessionId = textOf(child(child(env, 'Header'), 'SessionHeader'), 'sessionId');
    const session = org.sessionForToken(sessionId);
    if (!session) return soapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
    call.credential = session.id;
    const over = options.countApiCall();
    if (over) return soapFault('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    // Metadata API calls need Modify All Data or Modify Metadata (Metadata API Developer Guide: user permissions).
    if (!org.users.get(session.userId)?.admin) return soapFault('INSUFFICIENT_ACCESS', 'use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions');
    const method = child(env, 'Body')?.children[0];
    switch (method?.name) {
      case 'readMetadata':
        return readMetadata(org, method, call);
      case 'updateMetadata':
        return updateMetadata(org, method, call);
      case 'listMetadata':
        return listMetadata(org, method);
      default:
        return soapFault('soapenv:Client', `No operation available for request {http://soap.sforce.com/2006/04/metadata}${method?.name ?? ''}`);
    }
  };
}

function unsupportedType(type: string | undefined): EmuResponse {
  // The emulator models Profile only; another real type is refused rather than answered wrongly.
  return soapFault('INVALID_TYPE', `Unknown or unsupported type: ${type ?? ''} (the emulator models Profile only)`); // [unverified]
}

function readMetadata(org: Org, method: XmlNode, call: CallContext): EmuResponse {
  const type = textOf(method, 'type');
  if (type !== 'Profile') return unsupportedType(type);
  const names = childrenNamed(method, 'fullNames').map((n) => n.text.trim());
  if (names.length > COMPONENT_LIMIT) return soapFault('INVALID_CROSS_REFERENCE_KEY', `Exceeded the limit of ${COMPONENT_LIMIT} components per call`); // code [unverified]
  call.target = names.join(',');
  // A name the org does not have comes back as a nil record, not a fault (jsforce then shows a record without fullName). [unverified]
  const records = names.map((n) => {
    const p = org.profileByFullName(n);
    return p ? el('records', profileXml(p), ' xsi:type="Profile"') : '<records xsi:nil="true"/>';
  });
  return envelope(200, el('readMetadataResponse', el('result', records.join(''))));
}

function saveError(statusCode: string, message: string, field?: string): string {
  return el('errors', `${field ? textEl('fields', field) : ''}${textEl('message', message)}${textEl('statusCode', statusCode)}`);
}

function updateMetadata(org: Org, method: XmlNode, call: CallContext): EmuResponse {
  const items = childrenNamed(method, 'metadata');
  if (items.length > COMPONENT_LIMIT) return soapFault('INVALID_CROSS_REFERENCE_KEY', `Exceeded the limit of ${COMPONENT_LIMIT} components per call`); // code [unverified]
  for (const item of items) {
    const type = item.attrs['xsi:type']?.replace(/^.*:/, '');
    if (type !== 'Profile') return unsupportedType(type);
  }
  call.target = items.map((i) => textOf(i, 'fullName') ?? '').join(',');
  const results = items.map((item) => {
    const fullName = textOf(item, 'fullName') ?? '';
    const profile = org.profileByFullName(fullName);
    const result = (inner: string, success: boolean) => el('result', `${inner}${textEl('fullName', fullName)}${textEl('success', String(success))}`);
    // Per-component errors are in the SaveResult, not a fault (Metadata API Developer Guide: SaveResult).
    if (!profile) return result(saveError('INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no Profile named ${fullName} found`, 'fullName'), false);
    const rangeNodes = childrenNamed(item, 'loginIpRanges');
    // An element left out leaves that part of the profile as it is: updateMetadata on a Profile changes what it names.
    if (!rangeNodes.length) return result('', true);
    const ranges: SalesforceLoginIpRange[] = [];
    for (const r of rangeNodes) {
      const startAddress = textOf(r, 'startAddress') ?? '';
      const endAddress = textOf(r, 'endAddress') ?? '';
      const description = textOf(r, 'description');
      const start = ipv4ToNumber(startAddress);
      const end = ipv4ToNumber(endAddress);
      if (start === undefined || end === undefined) return result(saveError('FIELD_INTEGRITY_EXCEPTION', `Invalid IP address: ${start === undefined ? startAddress : endAddress}`, 'loginIpRanges'), false); // [unverified]
      if (start > end) return result(saveError('FIELD_INTEGRITY_EXCEPTION', 'The start IP address must be less than or equal to the end IP address', 'loginIpRanges'), false); // [unverified]
      ranges.push({ startAddress, endAddress, ...(description ? { description } : {}) });
    }
    profile.loginIpRanges = ranges;
    return result('', true);
  });
  return envelope(200, el('updateMetadataResponse', results.join('')));
}

function listMetadata(org: Org, method: XmlNode): EmuResponse {
  const types = childrenNamed(method, 'queries').map((q) => textOf(q, 'type'));
  if (types.length > 3) return soapFault('INVALID_CROSS_REFERENCE_KEY', 'Exceeded the limit of 3 queries per call'); // code [unverified]
  const admin = org.cordon ? org.users.get(org.cordon.userId) : undefined;
  const rows = types.includes('Profile')
    ? [...org.profiles.values()].map((p) =>
        el(
          'result',
          [
            textEl('createdById', admin?.id ?? ''),
            textEl('createdByName', admin?.name ?? ''),
            textEl('createdDate', '2024-01-15T09:00:00.000Z'),
            textEl('fileName', `profiles/${p.fullName}.profile`),
            textEl('fullName', p.fullName),
            textEl('id', p.id),
            textEl('lastModifiedById', admin?.id ?? ''),
            textEl('lastModifiedByName', admin?.name ?? ''),
            textEl('lastModifiedDate', '2024-01-15T09:00:00.000Z'),
            textEl('manageableState', 'unmanaged'),
            textEl('type', 'Profile'),
          ].join(''),
        ),
      )
    : [];
  return envelope(200, rows.length ? el('listMetadataResponse', rows.join('')) : '<listMetadataResponse/>');
}
