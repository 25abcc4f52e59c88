'use strict';
// Requests signed by both dynagen (sigv4_sign) and the AWS SDK for
// JavaScript's signer (@smithy/signature-v4), whose Authorization headers
// must match byte for byte. Written for dynagen; no data copied from elsewhere.
//
// path and query are what goes on the request line (the query without '?').
// Times are unix seconds; the list is signed in order by one dynagen
// process, so the midnight pair below crosses a day with a warm key cache.

const AKID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const T2026 = 1767225600; // 2026-01-01T00:00:00Z
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE/+=' + 'A'.repeat(40) + '//' + 'z9+'.repeat(300) + '==';

const ddbHeaders = (host, target) => [
  ['Host', host],
  ['Content-Type', 'application/x-amz-json-1.0'],
  ['X-Amz-Target', `DynamoDB_20120810.${target}`],
];
const hex = (s) => Buffer.from(s, 'utf8').toString('hex');
const base = {
  method: 'POST', path: '/', query: '', body_hex: '', time: T2026,
  akid: AKID, secret: SECRET, token: null, region: 'us-east-1', service: 'dynamodb',
  content_sha256: false,
};
const c = (o) => ({ ...base, ...o });

const getItem = JSON.stringify({ TableName: 'Products', Key: { ProductID: { S: 'p-1' }, Version: { N: '0' } } });

const big = Buffer.alloc(1 << 20);
for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

module.exports = [
  c({ name: 'ddb-getitem-session-token', region: 'eu-west-1', token: 'session-token-example',
      headers: [...ddbHeaders('dynamodb.eu-west-1.amazonaws.com', 'GetItem'), ['User-Agent', 'dynagen/0.1']],
      body_hex: hex(getItem) }),
  c({ name: 'ddb-getitem-session-token-content-sha256', region: 'eu-west-1', token: 'session-token-example',
      headers: [...ddbHeaders('dynamodb.eu-west-1.amazonaws.com', 'GetItem'), ['User-Agent', 'dynagen/0.1']],
      body_hex: hex(getItem), content_sha256: true }),
  c({ name: 'ddb-putitem', headers: ddbHeaders('dynamodb.us-east-1.amazonaws.com', 'PutItem'),
      body_hex: hex(JSON.stringify({ TableName: 'Products', Item: { ProductID: { S: 'p-2' }, Version: { N: '0' }, Name: { S: 'Café crème 中文 🎉' } }, ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': 'ProductID' } })) }),
  c({ name: 'ddb-local-endpoint', headers: ddbHeaders('127.0.0.1:8000', 'DescribeTable'),
      body_hex: hex('{"TableName":"Products"}') }),
  c({ name: 'ddb-china-partition', region: 'cn-north-1', headers: ddbHeaders('dynamodb.cn-north-1.amazonaws.com.cn', 'Query'),
      body_hex: hex('{"TableName":"Products","KeyConditionExpression":"#p = :v"}') }),
  c({ name: 'ddb-govcloud-long-token', region: 'us-gov-west-1', token: TOKEN,
      headers: ddbHeaders('dynamodb.us-gov-west-1.amazonaws.com', 'Scan'), body_hex: hex('{}') }),
  c({ name: 'binary-body-all-bytes', headers: [['Host', 'h.example'], ['Content-Type', 'application/octet-stream']],
      body_hex: allBytes.toString('hex') }),
  c({ name: 'one-mib-body', method: 'PUT', path: '/upload', headers: [['Host', 'h.example']], body_hex: big.toString('hex') }),
  c({ name: 'get-vanilla-shape', method: 'GET', region: 'us-east-1', service: 'service', time: 1440938160,
      headers: [['Host', 'example.amazonaws.com']] }),
  c({ name: 'query-sorting', method: 'GET', headers: [['Host', 'h.example']], query: 'b=2&a=1&a=0&c&A=9' }),
  c({ name: 'query-reserved-characters', method: 'GET', headers: [['Host', 'h.example']],
      query: 'k=a%2Fb%3Dc&sp=a%20b&tilde=%7E&star=%2A&plus=%2B&amp=%26&pct=%25' }),
  c({ name: 'query-utf8', method: 'GET', headers: [['Host', 'h.example']], query: '%E4%B8%AD=%F0%9F%8E%89&caf%C3%A9=cr%C3%A8me' }),
  c({ name: 'query-empty-values', method: 'GET', headers: [['Host', 'h.example']], query: 'x=&y&z=1' }),
  c({ name: 'path-double-encoding', method: 'GET', path: '/a%20b/c%2Fd/e%25f', headers: [['Host', 'h.example']] }),
  c({ name: 'path-raw-utf8', method: 'GET', path: '/résumé/ü/中', headers: [['Host', 'h.example']] }),
  c({ name: 'path-normalisation', method: 'GET', path: '/a/./b/../c//d/', headers: [['Host', 'h.example']] }),
  c({ name: 'path-sub-delims', method: 'GET', path: "/a:b@c!d$e&f'g(h)i*j+k,l;m=n", headers: [['Host', 'h.example']] }),
  c({ name: 'header-whitespace', method: 'GET',
      headers: [['Host', 'h.example'], ['X-Custom', ' \t a   b \t c  '], ['X-Empty', ''], ['X-Quoted', '"x    y"']] }),
  c({ name: 'header-name-case', headers: [['HOST', 'h.example'], ['CONTENT-type', 'text/plain'], ['x-AMZ-target', 'T.Op']],
      body_hex: hex('hello') }),
  c({ name: 'unsignable-headers-skipped',
      headers: [['Host', 'h.example'], ['User-Agent', 'ua/1'], ['X-Amzn-Trace-Id', 'Root=1-abc'], ['Connection', 'keep-alive'],
                ['Expect', '100-continue'], ['Proxy-Authorization', 'Basic x'], ['Sec-Fetch-Mode', 'cors'],
                ['Transfer-Encoding', 'chunked'], ['Content-Length', '2']],
      body_hex: hex('{}') }),
  c({ name: 'duplicate-header', method: 'GET', headers: [['Host', 'h.example'], ['X-Dup', 'a'], ['X-Dup', 'b'], ['X-Dup', 'a']] }),
  c({ name: 'explicit-unsigned-payload', method: 'PUT', path: '/o',
      headers: [['Host', 'h.example'], ['X-Amz-Content-Sha256', 'UNSIGNED-PAYLOAD']], body_hex: hex('data') }),
  c({ name: 'midnight-before', time: 1767225599, headers: ddbHeaders('dynamodb.us-east-1.amazonaws.com', 'GetItem'), body_hex: hex(getItem) }),
  c({ name: 'midnight-after', time: 1767225600, headers: ddbHeaders('dynamodb.us-east-1.amazonaws.com', 'GetItem'), body_hex: hex(getItem) }),
  c({ name: 'year-2099', time: 4102444799, headers: ddbHeaders('dynamodb.us-east-1.amazonaws.com', 'GetItem'), body_hex: hex(getItem) }),
  c({ name: 'delete-with-query', method: 'DELETE', path: '/things/42', query: 'force=true&version=3', headers: [['Host', 'api.example:8443']] }),
  c({ name: 'secret-special-characters', secret: 'a+b/c=d%e&f g\u00e9', headers: [['Host', 'h.example']], body_hex: hex('x') }),
  c({ name: 'other-service-region', region: 'ap-southeast-2', service: 'execute-api', method: 'PATCH', path: '/prod/items/1',
      headers: [['Host', 'abc123.execute-api.ap-southeast-2.amazonaws.com'], ['Content-Type', 'application/json']],
      body_hex: hex('{"a":1}') }),
];
