'use strict';
// Shared helpers of the DAX interop / cache / fault tests (tests/suites/dax.sh).
const { DynamoDB } = require('@aws-sdk/client-dynamodb');

const region = process.env.AWS_REGION || 'us-east-1';
const creds = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID || 'AKIDLOCAL',
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || 'local-secret',
};

function direct(ddbEndpoint) {
  return new DynamoDB({ endpoint: ddbEndpoint, region, credentials: creds, maxAttempts: 2 });
}

// amazon-dax-client 1.2.x (aws-sdk v2 style: requests with .promise())
function daxV1(daxEndpoint) {
  const AmazonDaxClient = require('amazon-dax-client');
  const c = new AmazonDaxClient({ endpoints: [daxEndpoint], region, ...creds, maxRetries: 0 });
  const wrap = {};
  for (const m of ['getItem', 'putItem', 'updateItem', 'deleteItem', 'query', 'scan',
    'batchGetItem', 'batchWriteItem', 'transactWriteItems', 'transactGetItems']) {
    wrap[m] = (p) => c[m](p).promise();
  }
  wrap.close = () => { try { c.shutdown && c.shutdown(); } catch (e) { /* ignore */ } };
  return wrap;
}

// @amazon-dax-sdk/client-dax 3.x (SDK v3 style: promises)
function daxV3(daxEndpoint) {
  const { Dax } = require('@amazon-dax-sdk/client-dax');
  const c = new Dax({ endpoints: [daxEndpoint], region, credentials: creds });
  const wrap = {};
  for (const m of ['getItem', 'putItem', 'updateItem', 'deleteItem', 'query', 'scan',
    'batchGetItem', 'batchWriteItem', 'transactWriteItems', 'transactGetItems']) {
    wrap[m] = (p) => c[m](p);
  }
  wrap.close = () => { try { c.shutdown ? c.shutdown() : (c.destroy && c.destroy()); } catch (e) { /* ignore */ } };
  return wrap;
}

function directWrap(ddb) {
  const wrap = {};
  for (const m of ['getItem', 'putItem', 'updateItem', 'deleteItem', 'query', 'scan',
    'batchGetItem', 'batchWriteItem', 'transactWriteItems', 'transactGetItems']) {
    wrap[m] = (p) => ddb[m](p);
  }
  wrap.close = () => ddb.destroy();
  return wrap;
}

// Normalised JSON of a response: metadata and capacity removed, binary as
// base64, sets sorted, object keys sorted.
function norm(v, tableMap) {
  if (v === null || v === undefined) return v;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return 'b64:' + Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map((x) => norm(x, tableMap));
  if (typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) {
      if (k === '$metadata' || k === 'ResponseMetadata' || k === 'ConsumedCapacity') continue;
      let val = norm(v[k], tableMap);
      if ((k === 'SS' || k === 'NS' || k === 'BS') && Array.isArray(val)) val = [...val].sort();
      const key = tableMap && tableMap[k] ? tableMap[k] : k;
      out[key] = val;
    }
    return out;
  }
  return v;
}

function errName(e) {
  return e && (e.name && e.name !== 'Error' ? e.name : e.code) || String(e);
}

async function outcome(p, tableMap) {
  try {
    return { ok: norm(await p, tableMap) };
  } catch (e) {
    return { error: errName(e) };
  }
}

async function createTable(ddb, name, withIndex) {
  const p = {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'ProductID', AttributeType: 'S' },
      { AttributeName: 'Version', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'ProductID', KeyType: 'HASH' },
      { AttributeName: 'Version', KeyType: 'RANGE' },
    ],
  };
  if (withIndex) {
    p.AttributeDefinitions.push({ AttributeName: 'Category', AttributeType: 'S' });
    p.GlobalSecondaryIndexes = [{
      IndexName: 'CategoryIndex',
      KeySchema: [{ AttributeName: 'Category', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
    }];
  }
  try {
    await ddb.createTable(p);
  } catch (e) {
    if (errName(e) !== 'ResourceInUseException') throw e;
  }
}

async function getJSON(url) {
  const r = await fetch(url);
  return r.json();
}

// CBOR heads for the raw frames below (lengths < 65536)
function cborHead(major, n) {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
}
const cborText = (s) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([cborHead(3, b.length), b]); };
const cborBytes = (b) => Buffer.concat([cborHead(2, b.length), b]);

// An authorizeConnection frame (dax-protocol.md §3), signed here with Node's
// crypto, independently of the official clients and of dynagen's C encoder:
// SigV4 of the fixed pseudo-request POST / host:dax.amazonaws.com at `date`.
// opts: accessKeyId, secretAccessKey, region (default: this process's
// credentials), date (Date, default now), sessionToken (null).
function authFrame(opts = {}) {
  const crypto = require('crypto');
  const ak = opts.accessKeyId || creds.accessKeyId;
  const sk = opts.secretAccessKey || creds.secretAccessKey;
  const rg = opts.region || region;
  const amz = (opts.date || new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const d8 = amz.slice(0, 8);
  const sha = (s) => crypto.createHash('sha256').update(s).digest('hex');
  const hmac = (k, s) => crypto.createHmac('sha256', k).update(s).digest();
  const canon = `POST\n/\n\nhost:dax.amazonaws.com\nx-amz-date:${amz}\n\nhost;x-amz-date\n${sha('')}`;
  const sts = `AWS4-HMAC-SHA256\n${amz}\n${d8}/${rg}/dax/aws4_request\n${sha(canon)}`;
  const key = hmac(hmac(hmac(hmac('AWS4' + sk, d8), rg), 'dax'), 'aws4_request');
  const sig = hmac(key, sts).toString('hex');
  return Buffer.concat([
    Buffer.from('011a58c2336b', 'hex'), // service 1, method 1489122155
    cborText(ak), cborText(sig), cborBytes(Buffer.from(sts)),
    opts.sessionToken ? cborText(opts.sessionToken) : Buffer.from([0xf6]),
    Buffer.from([0xf6]), // userAgent: null
  ]);
}

module.exports = { direct, daxV1, daxV3, directWrap, norm, outcome, createTable, errName, getJSON, creds, region, authFrame };
