// The content of a DynamoDB table, straight from DynamoDB Local's HTTP API
// (not through dynagen): a consistent Scan of every page, each item
// canonicalised (keys sorted at every level), the items sorted, hashed.
//
//   node tests/e2e/table_digest.js ENDPOINT TABLE
//   -> "<item count> <sha256 of the canonical items>"
//
// DynamoDB Local does not check signatures: a well-formed SigV4-looking
// Authorization header is enough. Exit 1 with a message on any failure.
'use strict';
const crypto = require('crypto');
const http = require('http');

const [endpoint, table] = process.argv.slice(2);
if (!endpoint || !table) {
  console.error('usage: table_digest.js ENDPOINT TABLE');
  process.exit(2);
}

function call(target, body) {
  const u = new URL(endpoint);
  const payload = JSON.stringify(body);
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: '/', method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${target}`,
        'x-amz-date': date,
        authorization: `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, ` +
          'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' + '0'.repeat(64),
        'content-length': Buffer.byteLength(payload),
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`${target}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
        else resolve(JSON.parse(text));
      });
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`${target}: timed out`)));
    req.end(payload);
  });
}

// Sets (SS/NS/BS) have no order: their elements are sorted too.
function canon(v, isSet) {
  if (Array.isArray(v)) {
    const parts = v.map((x) => canon(x, false));
    if (isSet) parts.sort();
    return '[' + parts.join(',') + ']';
  }
  if (v !== null && typeof v === 'object')
    return '{' + Object.keys(v).sort().map((k) =>
      JSON.stringify(k) + ':' + canon(v[k], k === 'SS' || k === 'NS' || k === 'BS')).join(',') + '}';
  return JSON.stringify(v);
}

(async () => {
  const items = [];
  let start;
  do {
    const page = await call('Scan', { TableName: table, ConsistentRead: true, ExclusiveStartKey: start });
    for (const it of page.Items || []) items.push(canon(it, false));
    start = page.LastEvaluatedKey;
  } while (start);
  items.sort();
  const h = crypto.createHash('sha256').update(items.join('\n')).digest('hex');
  console.log(`${items.length} ${h}`);
})().catch((e) => {
  console.error(`table_digest: ${e.message}`);
  process.exit(1);
});
