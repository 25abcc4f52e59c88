// The Node.js peer of dynagen's GET /products/{id} for bench/coldstart.sh and
// bench/api.sh: the same GetItem (current copy: Version 0) with the AWS SDK
// for JavaScript v3 (@aws-sdk/client-dynamodb, pinned in package.json), the
// same response (the API's JSON field names, the version from _dg_latest,
// price with its 2 decimals, timestamps as ISO 8601, ETag, TTL filtering, a
// JSON 404). As a Node Lambda is written: the client is created once, at
// init, outside the handler; configuration from the environment (AWS_REGION,
// AWS_ENDPOINT_URL_DYNAMODB, credentials, TABLE_NAME).
'use strict';
const { DynamoDBClient, GetItemCommand } = require('@aws-sdk/client-dynamodb');

const client = new DynamoDBClient({});
const TABLE = process.env.TABLE_NAME || 'Products';

// attribute name -> [json name, kind], in the schema's order
const FIELDS = [
  ['ProductID', 'product_id', 's'], ['Version', 'version', 'version'], ['Name', 'name', 's'],
  ['Description', 'description', 's'], ['Category', 'category', 's'], ['Price', 'price', 'dec2'],
  ['Currency', 'currency', 's'], ['Stock', 'stock', 'n'], ['Active', 'active', 'bool'],
  ['Tags', 'tags', 'ss'], ['Specs', 'specs', 'map'], ['Dimensions', 'dimensions', 'obj'],
  ['CreatedAt', 'created_at', 'ts'], ['UpdatedAt', 'updated_at', 'ts'], ['ExpiresAt', 'expires_at', 'ttl'],
];
const DIMENSIONS = ['width_mm', 'height_mm', 'depth_mm', 'weight_g'];

function dec2(n) {
  const neg = n.startsWith('-');
  const [i, f = ''] = (neg ? n.slice(1) : n).split('.');
  return Number((neg ? '-' : '') + i + '.' + (f + '00').slice(0, 2));
}

function toApi(item) {
  const out = {};
  for (const [attr, name, kind] of FIELDS) {
    const v = item[attr];
    if (v === undefined && kind !== 'version') continue;
    switch (kind) {
      case 's': out[name] = v.S; break;
      case 'version': out[name] = Number(item._dg_latest ? item._dg_latest.N : v.N); break;
      case 'dec2': out[name] = dec2(v.N); break;
      case 'n': out[name] = Number(v.N); break;
      case 'bool': out[name] = v.BOOL; break;
      case 'ss': out[name] = [...v.SS].sort(); break;
      case 'map': out[name] = Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, x.S])); break;
      case 'obj': {
        const o = {};
        for (const k of DIMENSIONS) if (v.M[k]) o[k] = Number(v.M[k].N);
        out[name] = o;
        break;
      }
      case 'ts': out[name] = new Date(Number(v.N)).toISOString(); break;
      case 'ttl': out[name] = new Date(Number(v.N) * 1000).toISOString().replace('.000Z', 'Z'); break;
    }
  }
  return out;
}

function error(status, code, message) {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code, message } }),
  };
}

const ROUTE = /^\/products\/([^/]+)$/;

exports.handler = async (event) => {
  const m = ROUTE.exec(event.rawPath || '');
  if (!m) return error(404, 'not_found', `no route for ${event.requestContext.http.method} ${event.rawPath}`);
  if (event.requestContext.http.method !== 'GET') {
    const r = error(405, 'method_not_allowed', `method ${event.requestContext.http.method} is not allowed here`);
    r.headers.allow = 'GET';
    return r;
  }
  const id = decodeURIComponent(m[1]);
  const consistent = (event.queryStringParameters || {}).consistent === 'true';
  const res = await client.send(new GetItemCommand({
    TableName: TABLE,
    Key: { ProductID: { S: id }, Version: { N: '0' } },
    ConsistentRead: consistent,
  }));
  const item = res.Item;
  if (!item || (item.ExpiresAt && Number(item.ExpiresAt.N) * 1000 <= Date.now()))
    return error(404, 'not_found', 'no such item');
  const body = toApi(item);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', etag: `"${body.version}"` },
    body: JSON.stringify(body),
  };
};
