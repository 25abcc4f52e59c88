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

module.exports = { direct, daxV1, daxV3, directWrap, norm, outcome, createTable, errName, getJSON, creds, region };
