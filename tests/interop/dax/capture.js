'use strict';
// Makes the calls tests/interop/dax/encode_check.c re-encodes, through one
// official Node DAX client against a fresh dax-local started with --trace.
// usage: node capture.js DDB_ENDPOINT DAX_ENDPOINT v1|v3
const c = require('./common');

const [ddbEndpoint, daxEndpoint, which] = process.argv.slice(2);
(async () => {
  const ddb = c.direct(ddbEndpoint);
  await c.createTable(ddb, 'Capture', false);
  const dax = which === 'v3' ? c.daxV3(daxEndpoint) : c.daxV1(daxEndpoint);
  const T = 'Capture';
  const key = { ProductID: { S: 'C1' }, Version: { N: '1' } };
  await dax.deleteItem({ TableName: T, Key: key }).catch(() => {}); // warm-up: schema (traced, not compared)
  await dax.putItem({ TableName: T, Item: Object.assign({ Name: { S: 'Widget' }, Price: { N: '19.99' }, Tags: { SS: ['a', 'b'] } }, key), ConditionExpression: 'attribute_not_exists(ProductID)' });
  await dax.getItem({ TableName: T, Key: key });
  await dax.getItem({ TableName: T, Key: key, ConsistentRead: true, ProjectionExpression: '#n, Price', ExpressionAttributeNames: { '#n': 'Name' } });
  await dax.updateItem({ TableName: T, Key: key, UpdateExpression: 'SET Price = :p, Tags2 = list_append(if_not_exists(Tags2, :t), :t) REMOVE Old', ConditionExpression: 'attribute_exists(ProductID)', ExpressionAttributeValues: { ':p': { N: '25' }, ':t': { L: [{ S: 'new' }] } }, ReturnValues: 'ALL_NEW' });
  await dax.query({ TableName: T, KeyConditionExpression: 'ProductID = :p AND Version >= :v', FilterExpression: 'Price > :x', ExpressionAttributeValues: { ':p': { S: 'C1' }, ':v': { N: '1' }, ':x': { N: '2.5' } }, Limit: 10, ScanIndexForward: false });
  await dax.deleteItem({ TableName: T, Key: key, ReturnValues: 'ALL_OLD' });
  dax.close();
  ddb.destroy();
  console.log('capture calls done');
  process.exit(0);
})().catch((e) => { console.log('FAIL capture harness: ' + (e && e.stack || e)); process.exit(1); });
