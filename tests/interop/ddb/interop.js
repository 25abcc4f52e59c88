'use strict';
// DynamoDB interop, the AWS SDK's side (@aws-sdk/lib-dynamodb over
// @aws-sdk/client-dynamodb, pinned in package.json). Run by
// tests/suites/ddb-interop.sh against DynamoDB Local.
//
//   node interop.js check-writes TABLE WRITES.jsonl
//       WRITES.jsonl: what build/<v>/tests/interop/ddb/interop_ddb wrote
//       (one {"case","id","version","api"} per write). Reads every history
//       item (id, v) and every current item (id, 0) with GetCommand and
//       compares it field by field with what the API JSON says, in dynagen's
//       layout: attribute names from schema/products.yaml, the current item
//       carrying _dg_latest, history items keeping the GSI partition key
//       (Category) inside the _dg_keys map.
//   node interop.js write TABLE REQUESTS.jsonl EXPECT.json
//       Writes products the way another writer of the table would, with
//       PutCommand (sets as Set, numbers as exact NumberValue or JS numbers):
//       history items (id, 1..n) and the current item (id, 0) with
//       _dg_latest = n. Writes the read requests for interop_ddb and what it
//       must read back.
//   node interop.js check-reads EXPECT.json READS.jsonl
//       Compares interop_ddb's reads (product_get, product_get_version,
//       product_list_versions: API JSON) with the items written.
//
// Every compared item prints "ok   ..." or "FAIL ...: <differences>"; the
// last line is "RESULT <passed> <failed>". Numbers are compared exactly: the
// SDK is asked for wrapped numbers (exact strings), dynagen's JSON is read
// by a parser that keeps number text, and both are brought to one canonical
// decimal form (DynamoDB itself normalises "19.90" to "19.9").

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const {
  DynamoDBDocumentClient, GetCommand, PutCommand, NumberValue,
} = require('@aws-sdk/lib-dynamodb');

// ------------------------------------------------------------------ the schema
// schema/products.yaml, by hand: API field -> DynamoDB attribute and type.
// (Checked against the YAML below, so a rename there fails loudly here.)
const FIELDS = {
  product_id: { attr: 'ProductID', type: 'string' },
  version: { attr: 'Version', type: 'int' },
  name: { attr: 'Name', type: 'string' },
  description: { attr: 'Description', type: 'string' },
  category: { attr: 'Category', type: 'string' },
  price: { attr: 'Price', type: 'decimal', scale: 2 },
  currency: { attr: 'Currency', type: 'string' },
  stock: { attr: 'Stock', type: 'int' },
  active: { attr: 'Active', type: 'bool' },
  tags: { attr: 'Tags', type: 'string_set' },
  specs: { attr: 'Specs', type: 'string_map' },
  dimensions: {
    attr: 'Dimensions',
    type: 'object',
    fields: {
      width_mm: { attr: 'width_mm', type: 'int' },
      height_mm: { attr: 'height_mm', type: 'int' },
      depth_mm: { attr: 'depth_mm', type: 'int' },
      weight_g: { attr: 'weight_g', type: 'int' },
    },
  },
  created_at: { attr: 'CreatedAt', type: 'timestamp' }, // epoch ms
  updated_at: { attr: 'UpdatedAt', type: 'timestamp' },
  expires_at: { attr: 'ExpiresAt', type: 'ttl' }, // epoch s
};
const LATEST = '_dg_latest';
const KEYS = '_dg_keys';
const HIDDEN_IN_HISTORY = ['Category']; // CategoryIndex partition key: sparse index

function checkSchema() {
  const yaml = fs.readFileSync(path.join(__dirname, '../../../schema/products.yaml'), 'utf8');
  for (const [api, f] of Object.entries(FIELDS)) {
    const re = new RegExp(`^  ${api}:.*\\bname: ${f.attr}\\b`, 'm');
    const reObj = new RegExp(`^  ${api}:\\s*\\n    name: ${f.attr}\\s*$`, 'm');
    if (!re.test(yaml) && !reObj.test(yaml)) {
      throw new Error(`schema/products.yaml: field ${api} is not named ${f.attr} (update FIELDS)`);
    }
    for (const sub of Object.keys(f.fields || {})) {
      if (!new RegExp(`^      ${sub}:`, 'm').test(yaml)) throw new Error(`schema: ${api}.${sub} is gone`);
    }
  }
  if (!/CategoryIndex: \{ type: global, partition: category/.test(yaml)) {
    throw new Error('schema/products.yaml: CategoryIndex changed (update HIDDEN_IN_HISTORY)');
  }
}

// ------------------------------------------------------------------ exact numbers

class Num { constructor(text) { this.text = text; } }

// JSON.parse, but numbers stay their text (Num): no float rounding.
function parseExact(text) {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const fail = (m) => { throw new Error(`JSON: ${m} at ${i}: ${text.slice(i, i + 40)}`); };
  function value() {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; const o = {}; ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws(); if (text[i] !== '"') fail('key');
        const k = str(); ws(); if (text[i++] !== ':') fail(':');
        if (Object.prototype.hasOwnProperty.call(o, k)) fail(`duplicate key ${k}`);
        o[k] = value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return o; }
        fail('object');
      }
    }
    if (c === '[') {
      i++; const a = []; ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value()); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return a; }
        fail('array');
      }
    }
    if (c === '"') return str();
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && m[0]) { i += m[0].length; return new Num(m[0]); }
    for (const [w, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(w, i)) { i += w.length; return v; }
    }
    return fail('value');
  }
  function str() {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
    if (!m) fail('string');
    i += m[0].length;
    return JSON.parse(m[0]);
  }
  const v = value(); ws();
  if (i !== text.length) fail('trailing data');
  return v;
}

// Canonical decimal text: digits without leading/trailing zeros + exponent.
function canonDec(s) {
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(String(s).trim());
  if (!m || (m[2] === '' && (m[3] || '') === '')) return `NaN(${s})`;
  let digits = (m[2] + (m[3] || '')).replace(/^0+/, '');
  let exp = BigInt(m[4] || '0') - BigInt((m[3] || '').length);
  if (digits === '') return '0';
  while (digits.endsWith('0')) { digits = digits.slice(0, -1); exp += 1n; }
  return `${m[1] === '-' ? '-' : ''}${digits}e${exp}`;
}

function numText(v) {
  if (v instanceof Num) return v.text;
  if (v instanceof NumberValue) return v.toString();
  if (v && typeof v === 'object' && typeof v.value === 'string') return v.value;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

// RFC 3339 -> epoch ms (BigInt), exactly; sub-millisecond digits must be 0.
function rfc3339Ms(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return undefined;
  const frac = (m[7] || '').padEnd(9, '0');
  if (!/^0*$/.test(frac.slice(3))) return undefined;
  let ms = BigInt(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) + BigInt(frac.slice(0, 3));
  if (m[8] !== 'Z' && m[8] !== 'z') {
    const sign = m[8][0] === '-' ? -1n : 1n;
    ms -= sign * BigInt((+m[8].slice(1, 3) * 60 + +m[8].slice(4, 6)) * 60000);
  }
  return ms;
}

// ------------------------------------------------------------------ comparison

function typeName(v) {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (v instanceof Set) return 'Set';
  if (v instanceof NumberValue) return 'NumberValue';
  if (v instanceof Num) return 'number';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
const show = (v) => {
  if (v instanceof Set) return `Set(${JSON.stringify([...v])})`;
  if (v instanceof Num) return v.text;
  if (v instanceof NumberValue) return `N(${v.toString()})`;
  return JSON.stringify(v);
};

// The DynamoDB value (lib-dynamodb native, numbers wrapped) an API value
// stands for, compared with `got`; differences go into diffs.
function cmpApiVsItem(f, apiVal, itemVal, where, diffs) {
  const bad = (why) => diffs.push(`${where}: ${why} (API ${show(apiVal)}, item ${show(itemVal)})`);
  if (apiVal === undefined || itemVal === undefined) {
    if (apiVal !== itemVal) bad('present on one side only');
    return;
  }
  switch (f.type) {
    case 'string':
      if (typeof apiVal !== 'string' || typeof itemVal !== 'string') return bad('not strings');
      if (apiVal !== itemVal) bad('strings differ');
      return;
    case 'bool':
      if (typeof apiVal !== 'boolean' || typeof itemVal !== 'boolean' || apiVal !== itemVal) bad('booleans differ');
      return;
    case 'int':
    case 'decimal': {
      const a = numText(apiVal);
      const b = numText(itemVal);
      if (!(apiVal instanceof Num)) return bad('API value is not a JSON number');
      if (b === undefined) return bad(`item value is a ${typeName(itemVal)}, not a number`);
      if (canonDec(a) !== canonDec(b)) bad(`numbers differ: ${a} vs ${b}`);
      if (f.type === 'decimal') {
        const frac = (a.split('.')[1] || '');
        if (frac.length !== f.scale) bad(`API decimal ${a} has not exactly ${f.scale} fraction digits`);
      }
      return;
    }
    case 'timestamp':
    case 'ttl': {
      const ms = typeof apiVal === 'string' ? rfc3339Ms(apiVal) : undefined;
      const b = numText(itemVal);
      if (ms === undefined) return bad('API value is not an RFC 3339 time');
      if (b === undefined || !/^\d+$/.test(b)) return bad('item value is not an integer number');
      const want = f.type === 'ttl' ? BigInt(b) * 1000n : BigInt(b);
      if (ms !== want) bad(`times differ: ${ms} ms vs ${want} ms`);
      return;
    }
    case 'string_set': {
      if (!Array.isArray(apiVal)) return bad('API value is not an array');
      if (!(itemVal instanceof Set)) return bad(`item value is a ${typeName(itemVal)}, not a Set (SS)`);
      const a = new Set(apiVal);
      if (a.size !== apiVal.length) bad('API set has duplicates');
      if (a.size !== itemVal.size || [...a].some((x) => !itemVal.has(x))) bad('sets differ');
      for (const x of itemVal) if (typeof x !== 'string') bad('set member is not a string');
      return;
    }
    case 'string_map': {
      if (typeName(apiVal) !== 'object' || typeName(itemVal) !== 'object') return bad('not maps');
      const ka = Object.keys(apiVal).sort();
      const kb = Object.keys(itemVal).sort();
      if (JSON.stringify(ka) !== JSON.stringify(kb)) return bad('map keys differ');
      for (const k of ka) cmpApiVsItem({ type: 'string' }, apiVal[k], itemVal[k], `${where}.${k}`, diffs);
      return;
    }
    case 'object': {
      if (typeName(apiVal) !== 'object' || typeName(itemVal) !== 'object') return bad('not objects');
      for (const k of Object.keys(apiVal)) if (!f.fields[k]) diffs.push(`${where}: unknown API field ${k}`);
      const attrs = new Set(Object.values(f.fields).map((s) => s.attr));
      for (const k of Object.keys(itemVal)) if (!attrs.has(k)) diffs.push(`${where}: unexpected attribute ${k}`);
      for (const [k, sf] of Object.entries(f.fields)) {
        cmpApiVsItem(sf, apiVal[k], itemVal[sf.attr], `${where}.${k}`, diffs);
      }
      return;
    }
    default:
      bad(`unknown type ${f.type}`);
  }
}

// An API object against a stored item in dynagen's layout.
//   item: the raw item (current (id, 0) or history (id, v))
//   version: the version the API object must say
function compareApiItem(api, item, { current, version }) {
  const diffs = [];
  const it = { ...item };
  // layout: the reserved attributes
  if (current) {
    if (numText(it.Version) !== '0') diffs.push(`current item Version ${show(it.Version)}, want 0`);
    if (numText(it[LATEST]) !== String(version)) diffs.push(`${LATEST} ${show(it[LATEST])}, want ${version}`);
    if (it[KEYS] !== undefined) diffs.push(`current item has ${KEYS}`);
    delete it[LATEST];
  } else {
    if (numText(it.Version) !== String(version)) diffs.push(`history item Version ${show(it.Version)}, want ${version}`);
    if (it[LATEST] !== undefined) diffs.push(`history item has ${LATEST}`);
    const keys = it[KEYS];
    delete it[KEYS];
    for (const a of HIDDEN_IN_HISTORY) {
      if (it[a] !== undefined) diffs.push(`history item has ${a} outside ${KEYS} (it would show in the index)`);
      if (keys && keys[a] !== undefined) it[a] = keys[a];
    }
    if (keys) for (const k of Object.keys(keys)) if (!HIDDEN_IN_HISTORY.includes(k)) diffs.push(`${KEYS} holds ${k}`);
  }
  const apiVersion = api.version;
  if (!(apiVersion instanceof Num) || apiVersion.text !== String(version)) {
    diffs.push(`API version ${show(apiVersion)}, want ${version}`);
  }
  const attrs = new Set(Object.values(FIELDS).map((f) => f.attr));
  for (const k of Object.keys(api)) if (!FIELDS[k]) diffs.push(`unknown API field ${k}`);
  for (const k of Object.keys(it)) if (!attrs.has(k)) diffs.push(`unexpected attribute ${k}`);
  for (const [name, f] of Object.entries(FIELDS)) {
    if (name === 'version') continue; // checked above (layout)
    cmpApiVsItem(f, api[name], it[f.attr], name, diffs);
  }
  return diffs;
}

// ------------------------------------------------------------------ plumbing

function client() {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint || !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(endpoint)) {
    throw new Error(`AWS_ENDPOINT_URL_DYNAMODB must be a loopback DynamoDB Local (got ${endpoint})`);
  }
  const base = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    },
  });
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: false, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: true },
  });
}

let passed = 0;
let failed = 0;
function verdict(label, diffs) {
  if (diffs.length === 0) {
    passed++;
    console.log(`ok   ${label}`);
  } else {
    failed++;
    console.log(`FAIL ${label}:\n       ${diffs.slice(0, 12).join('\n       ')}`);
  }
}

function readLines(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map(parseExact);
}

// ------------------------------------------------------------------ dynagen wrote, the SDK reads

async function checkWrites(table, writesFile) {
  const doc = client();
  const writes = readLines(writesFile);
  if (writes.length === 0) verdict('dynagen->sdk: no writes to check', ['interop_ddb wrote nothing']);
  const lastOf = new Map();
  for (const w of writes) lastOf.set(w.id, w);
  for (const w of writes) {
    const v = Number(w.version.text);
    const r = await doc.send(new GetCommand({ TableName: table, Key: { ProductID: w.id, Version: v }, ConsistentRead: true }));
    const label = `dynagen->sdk ${w.case} history (id, ${v})`;
    if (!r.Item) verdict(label, ['GetCommand found no item']);
    else verdict(label, compareApiItem(w.api, r.Item, { current: false, version: v }));
  }
  for (const [id, w] of lastOf) {
    const v = Number(w.version.text);
    const r = await doc.send(new GetCommand({ TableName: table, Key: { ProductID: id, Version: 0 }, ConsistentRead: true }));
    const label = `dynagen->sdk ${w.case} current (id, 0) = version ${v}`;
    if (!r.Item) verdict(label, ['GetCommand found no item']);
    else verdict(label, compareApiItem(w.api, r.Item, { current: true, version: v }));
  }
}

// ------------------------------------------------------------------ the SDK wrote, dynagen reads

const N = (s) => NumberValue.from(s); // exact number text
const DAY = 86400;

// Each case: its versions, oldest first, as lib-dynamodb items without the
// key (ProductID, Version) and reserved attributes. missingHistory: versions
// whose history item is not written (a writer that crashed between the two
// writes of the protocol: the current item is the only copy).
function nodeCases() {
  const now = Date.now();
  const future = Math.floor(now / 1000) + 365 * DAY;
  return [
    {
      case: 'sdk-full',
      versions: [
        {
          Name: 'Node ✓ — Grüße 👋 "quoted" \\ back\\slash\nline2\ttab',
          Description: 'combining e\u0301, astral 🦄, CJK 漢字, RTL שלום, control \u0002',
          Category: 'node-written',
          Price: N('1234567.5'), // one fraction digit: dynagen reads it at scale 2
          Currency: 'GBP',
          Stock: 2147483647,
          Active: false,
          Tags: new Set(['zulu', 'Alpha', 'ñandú', '🚀']),
          Specs: { colour: 'grün', 'emoji 🔥': 'ja', 'a.b#c:d': 'v', 'quote"key': '\\' },
          Dimensions: { width_mm: 1, height_mm: 0, depth_mm: N('2147483647'), weight_g: 999 },
          CreatedAt: N('1700000000123'),
          UpdatedAt: N('1700000000123'),
          ExpiresAt: future,
        },
        {
          Name: 'Node v2',
          Category: 'node-written',
          Price: 20, // a JS number: "20"
          Currency: 'EUR',
          Stock: 0,
          Active: true,
          Tags: new Set(['one']),
          CreatedAt: N('1700000000123'),
          UpdatedAt: now,
        },
        {
          Name: 'Node v3',
          Description: '',
          Category: 'node-written',
          Price: N('0.01'),
          Specs: { k: 'v' },
          Dimensions: { weight_g: 5 },
          CreatedAt: N('1700000000123'),
          UpdatedAt: now + 1,
          ExpiresAt: N(String(future + 1)),
        },
      ],
    },
    {
      case: 'sdk-minimal',
      versions: [{ Name: 'm', Category: 'n', Price: N('0') }],
    },
    {
      case: 'sdk-prices',
      versions: [
        { Name: 'p', Category: 'node-prices', Price: N('999999999.99'), CreatedAt: now, UpdatedAt: now },
        { Name: 'p', Category: 'node-prices', Price: N('1000000000'), CreatedAt: now, UpdatedAt: now },
        { Name: 'p', Category: 'node-prices', Price: N('0.10'), CreatedAt: now, UpdatedAt: now },
      ],
    },
    {
      case: 'sdk-history-missing',
      missingHistory: [2],
      versions: [
        { Name: 'crashed writer', Category: 'node-crash', Price: N('5.55'), Stock: 1, CreatedAt: now, UpdatedAt: now },
        { Name: 'crashed writer v2', Category: 'node-crash', Price: N('6.66'), Stock: 2, CreatedAt: now, UpdatedAt: now + 5 },
      ],
    },
  ];
}

async function writeNode(table, requestsFile, expectFile) {
  const doc = client();
  const requests = [];
  const expect = [];
  for (const c of nodeCases()) {
    const id = crypto.randomUUID();
    const n = c.versions.length;
    for (let v = 1; v <= n; v++) {
      const body = c.versions[v - 1];
      const item = { ProductID: id, Version: v, ...body };
      for (const a of HIDDEN_IN_HISTORY) {
        if (item[a] !== undefined) {
          item[KEYS] = { ...(item[KEYS] || {}), [a]: item[a] };
          delete item[a];
        }
      }
      if (!(c.missingHistory || []).includes(v)) {
        await doc.send(new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(ProductID)' }));
      }
    }
    const current = { ProductID: id, Version: 0, ...c.versions[n - 1], [LATEST]: n };
    await doc.send(new PutCommand({ TableName: table, Item: current }));
    requests.push({ case: c.case, id, versions: n });
    expect.push({ case: c.case, id, versions: n, missingHistory: c.missingHistory || [] });
  }
  fs.writeFileSync(requestsFile, requests.map((r) => JSON.stringify(r)).join('\n') + '\n');
  fs.writeFileSync(expectFile, JSON.stringify(expect));
  console.log(`wrote ${expect.length} products, ${expect.reduce((s, e) => s + e.versions, 0)} versions`);
}

// What interop_ddb read against the items as written (rebuilt from the
// same case definitions, read back raw with the SDK so the comparison is
// with what is really stored).
async function checkReads(table, expectFile, readsFile) {
  const doc = client();
  const expect = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
  const reads = readLines(readsFile);
  const rc = (r) => r.rc;
  for (const e of expect) {
    const mine = reads.filter((r) => r.id === e.id);
    const stored = new Map(); // version -> the item that stands for it
    const cur = (await doc.send(new GetCommand({ TableName: table, Key: { ProductID: e.id, Version: 0 }, ConsistentRead: true }))).Item;
    for (let v = 1; v <= e.versions; v++) {
      const h = (await doc.send(new GetCommand({ TableName: table, Key: { ProductID: e.id, Version: v }, ConsistentRead: true }))).Item;
      if (h) stored.set(v, { item: h, current: false });
      else if (e.missingHistory.includes(v) && v === e.versions) stored.set(v, { item: cur, current: true });
    }
    const label = (op, v) => `sdk->dynagen ${e.case} ${op}${v !== undefined ? ` ${v}` : ''}`;
    // product_get: the current item, at the newest version
    const g = mine.filter((r) => r.op === 'get');
    if (g.length !== 1 || rc(g[0]) !== 'ok') verdict(label('product_get'), [`got ${g.map((r) => r.rc).join(',') || 'nothing'}`]);
    else verdict(label('product_get'), compareApiItem(g[0].api, cur, { current: true, version: e.versions }));
    // product_get_version 1..n, and n+1 is not found
    for (let v = 1; v <= e.versions + 1; v++) {
      const r = mine.filter((x) => x.op === 'get_version' && Number(x.version.text) === v);
      const l = label('product_get_version', v);
      if (r.length !== 1) { verdict(l, [`${r.length} answers`]); continue; }
      if (v > e.versions) { verdict(l, rc(r[0]) === 'not_found' ? [] : [`want not_found, got ${rc(r[0])}`]); continue; }
      if (rc(r[0]) !== 'ok') { verdict(l, [`rc ${rc(r[0])}`]); continue; }
      const s = stored.get(v);
      verdict(l, s ? compareApiItem(r[0].api, s.item, { current: s.current, version: v }) : ['nothing stored to compare with']);
    }
    // product_list_versions: n..1, newest first, each equal to its item
    const list = mine.filter((r) => r.op === 'list_versions');
    const got = list.map((r) => (r.version instanceof Num ? Number(r.version.text) : NaN));
    const want = Array.from({ length: e.versions }, (_, k) => e.versions - k);
    const ld = [];
    if (JSON.stringify(got) !== JSON.stringify(want)) ld.push(`versions ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    for (const r of list) {
      const v = Number(r.version.text);
      const s = stored.get(v);
      if (rc(r) !== 'ok') ld.push(`rc ${rc(r)}`);
      else if (!s) ld.push(`version ${v}: nothing stored`);
      else ld.push(...compareApiItem(r.api, s.item, { current: s.current, version: v }).map((d) => `version ${v}: ${d}`));
    }
    verdict(label('product_list_versions', `(${e.versions} versions, pages of 2)`), ld);
  }
}

// ------------------------------------------------------------------ main

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  checkSchema();
  if (cmd === 'check-writes' && args.length === 2) await checkWrites(...args);
  else if (cmd === 'write' && args.length === 3) await writeNode(...args);
  else if (cmd === 'check-reads' && args.length === 3) await checkReads(...args);
  else {
    console.error('usage: interop.js check-writes TABLE WRITES.jsonl | write TABLE REQUESTS.jsonl EXPECT.json | check-reads TABLE EXPECT.json READS.jsonl');
    process.exit(2);
  }
  if (cmd !== 'write') console.log(`RESULT ${passed} ${failed}`);
}

main().catch((e) => {
  console.log(`FAIL ${e.stack || e}`);
  console.log(`RESULT ${passed} ${failed + 1}`);
  process.exit(1);
});
