'use strict';
// Interop: the same operations through an official DAX client -> dax-local
// -> DynamoDB Local, and through the AWS SDK straight to DynamoDB Local, on
// two tables with identical contents; normalised answers must be equal.
// usage: node interop.js DDB_ENDPOINT DAX_ENDPOINT
// Prints "ok|FAIL <client> <operation> ..." per case and a matrix.
const c = require('./common');

const [ddbEndpoint, daxEndpoint] = process.argv.slice(2);

function item(id, v, extra) {
  return Object.assign({
    ProductID: { S: id }, Version: { N: String(v) },
    Name: { S: 'Widget ' + id }, Price: { N: '19.99' }, Category: { S: 'tools' },
    Big: { N: '12345678901234567890' }, Small: { N: '0.001' }, Neg: { N: '-42' },
    Flag: { BOOL: true }, Nothing: { NULL: true }, Blob: { B: Buffer.from([1, 2, 3, 250]) },
    Tags: { SS: ['a', 'b'] }, Nums: { NS: ['1', '2.5'] }, Bins: { BS: [Buffer.from('x'), Buffer.from('yz')] },
    List: { L: [{ S: 'x' }, { N: '1' }, { M: { k: { S: 'v' } } }] },
    Doc: { M: { color: { S: 'red' }, dims: { L: [{ N: '1' }, { N: '2' }] } } },
  }, extra || {});
}

function key(id, v) { return { ProductID: { S: id }, Version: { N: String(v) } }; }

// Each case: name, list of steps (T -> params, method). All steps' outcomes compared.
const cases = [
  ['PutItem', [
    ['putItem', (T) => ({ TableName: T, Item: item('P1', 1) })],
    ['putItem', (T) => ({ TableName: T, Item: item('P1', 2) })],
    ['putItem', (T) => ({ TableName: T, Item: item('P1', 3) })],
    ['putItem', (T) => ({ TableName: T, Item: item('P2', 1, { Category: { S: 'toys' } }) })],
    ['putItem', (T) => ({ TableName: T, Item: item('P1', 1, { Name: { S: 'renamed' } }), ReturnValues: 'ALL_OLD' })],
    ['putItem', (T) => ({ TableName: T, Item: item('P1', 1), ConditionExpression: 'attribute_not_exists(ProductID)' })],
  ]],
  ['GetItem', [
    ['getItem', (T) => ({ TableName: T, Key: key('P1', 1) })],
    ['getItem', (T) => ({ TableName: T, Key: key('P1', 2) })],
    ['getItem', (T) => ({ TableName: T, Key: key('nope', 1) })],
    ['getItem', (T) => ({ TableName: T, Key: key('P1', 3), ProjectionExpression: '#n, Price, Doc.color, #l[2].k, Nums', ExpressionAttributeNames: { '#n': 'Name', '#l': 'List' } })],
    ['getItem', (T) => ({ TableName: T, Key: key('P1', 3), ConsistentRead: true })],
  ]],
  ['UpdateItem', [
    ['updateItem', (T) => ({ TableName: T, Key: key('P1', 2), UpdateExpression: 'SET Price = :p, Tags = :t ADD Stock :one REMOVE #z', ExpressionAttributeNames: { '#z': 'Nothing' }, ExpressionAttributeValues: { ':p': { N: '25.5' }, ':t': { SS: ['c'] }, ':one': { N: '1' } }, ReturnValues: 'ALL_NEW' })],
    ['updateItem', (T) => ({ TableName: T, Key: key('P1', 2), UpdateExpression: 'SET Price = Price + :d', ExpressionAttributeValues: { ':d': { N: '1' } } })],
    ['updateItem', (T) => ({ TableName: T, Key: key('P1', 2), UpdateExpression: 'SET #n = :n', ConditionExpression: 'Price > :max', ExpressionAttributeNames: { '#n': 'Name' }, ExpressionAttributeValues: { ':n': { S: 'x' }, ':max': { N: '1000' } } })],
    ['updateItem', (T) => ({ TableName: T, Key: key('P1', 2), UpdateExpression: 'SET #l = list_append(#l, :l)', ExpressionAttributeNames: { '#l': 'List' }, ExpressionAttributeValues: { ':l': { L: [{ S: 'new' }] } }, ReturnValues: 'ALL_OLD' })],
    ['updateItem', (T) => ({ TableName: T, Key: key('P1', 2), UpdateExpression: 'SET Price = :p REMOVE Flag', ExpressionAttributeValues: { ':p': { N: '3' } }, ReturnValues: 'UPDATED_OLD' })],
    ['updateItem', (T) => ({ TableName: T, Key: key('P1', 2), UpdateExpression: 'SET Price = :p, Doc.color = :c', ExpressionAttributeValues: { ':p': { N: '4' }, ':c': { S: 'blue' } }, ReturnValues: 'UPDATED_NEW' })],
    ['getItem', (T) => ({ TableName: T, Key: key('P1', 2) })],
  ]],
  ['DeleteItem', [
    ['deleteItem', (T) => ({ TableName: T, Key: key('P2', 1), ReturnValues: 'ALL_OLD' })],
    ['deleteItem', (T) => ({ TableName: T, Key: key('P2', 1) })],
    ['deleteItem', (T) => ({ TableName: T, Key: key('P1', 3), ConditionExpression: 'attribute_not_exists(Price)' })],
    ['getItem', (T) => ({ TableName: T, Key: key('P2', 1) })],
  ]],
  ['Errors', [
    ['getItem', (T) => ({ TableName: T + '_missing', Key: key('P1', 1) })],
    ['updateItem', (T) => ({ TableName: T, Key: key('P1', 3), UpdateExpression: 'SET Price = :p', ConditionExpression: 'Price > :p', ExpressionAttributeValues: { ':p': { N: '1000' } } })],
    ['updateItem', (T) => ({ TableName: T, Key: key('P1', 3), UpdateExpression: 'SET Price = Price + :p', ExpressionAttributeValues: { ':p': { S: 'text' } } })],
  ]],
  ['Query', 'paging'],
  ['QueryIndex', 'index'],
  ['Scan', 'scan'],
  ['BatchWrite', [
    ['batchWriteItem', (T) => ({ RequestItems: { [T]: [
      { PutRequest: { Item: item('B1', 1) } }, { PutRequest: { Item: item('B2', 1) } },
      { PutRequest: { Item: item('B3', 1, { Extra: { S: 'e' } }) } }, { DeleteRequest: { Key: key('P1', 1) } }] } })],
    ['getItem', (T) => ({ TableName: T, Key: key('B3', 1) })],
    ['getItem', (T) => ({ TableName: T, Key: key('P1', 1) })],
  ]],
  ['BatchGet', [
    ['batchGetItem', (T) => ({ RequestItems: { [T]: { Keys: [key('B1', 1), key('B2', 1), key('zz', 9)] } } })],
    ['batchGetItem', (T) => ({ RequestItems: { [T]: { Keys: [key('B1', 1), key('B3', 1)], ProjectionExpression: 'ProductID, Extra' } } })],
  ]],
  ['TransactWrite', [
    ['transactWriteItems', (T) => ({ TransactItems: [
      { Put: { TableName: T, Item: item('T1', 1) } },
      { Update: { TableName: T, Key: key('B1', 1), UpdateExpression: 'SET Price = :p', ExpressionAttributeValues: { ':p': { N: '7' } } } },
      { ConditionCheck: { TableName: T, Key: key('B2', 1), ConditionExpression: 'attribute_exists(ProductID)' } },
      { Delete: { TableName: T, Key: key('B3', 1) } }] })],
    ['transactWriteItems', (T) => ({ TransactItems: [
      { Put: { TableName: T, Item: item('T2', 1) } },
      { ConditionCheck: { TableName: T, Key: key('B2', 1), ConditionExpression: 'attribute_not_exists(ProductID)' } }] })],
    ['getItem', (T) => ({ TableName: T, Key: key('T1', 1), ConsistentRead: true })],
    ['getItem', (T) => ({ TableName: T, Key: key('B1', 1), ConsistentRead: true })],
    ['getItem', (T) => ({ TableName: T, Key: key('T2', 1), ConsistentRead: true })],
  ]],
];

async function runQuery(cl, T, kind) {
  const pages = [];
  let esk;
  for (let i = 0; i < 20; i++) {
    const p = kind === 'index'
      ? { TableName: T, IndexName: 'CategoryIndex', KeyConditionExpression: 'Category = :c', FilterExpression: 'Version > :z', ExpressionAttributeValues: { ':c': { S: 'tools' }, ':z': { N: '0' } }, Limit: 3, ExclusiveStartKey: esk, ProjectionExpression: 'ProductID, Version, Price, Doc.color' }
      : kind === 'paging'
      ? { TableName: T, KeyConditionExpression: 'ProductID = :p AND Version >= :v', ExpressionAttributeValues: { ':p': { S: 'Q' }, ':v': { N: '2' } }, Limit: 2, ExclusiveStartKey: esk }
      : { TableName: T, Limit: 3, ExclusiveStartKey: esk, FilterExpression: 'begins_with(ProductID, :q)', ExpressionAttributeValues: { ':q': { S: 'Q' } } };
    const r = await cl[kind === 'scan' ? 'scan' : 'query'](p);
    pages.push(c.norm(r));
    esk = r.LastEvaluatedKey;
    if (!esk) break;
  }
  return pages;
}

async function seedQ(cl, T) {
  for (let v = 1; v <= 7; v++) await cl.putItem({ TableName: T, Item: item('Q', v) });
}

async function runClient(label, dax, ref, Ta, Tb, results) {
  for (const [name, steps] of cases) {
    let pass = true;
    const detail = [];
    try {
      if (typeof steps === 'string') {
        if (name === 'Query') { await seedQ(dax, Ta); await seedQ(ref, Tb); }
        if (name === 'QueryIndex') {
          const cnt = async (cl, T) => c.norm(await cl.query({ TableName: T, KeyConditionExpression: 'ProductID = :p', ExpressionAttributeValues: { ':p': { S: 'Q' } }, Select: 'COUNT' }));
          const ca = JSON.stringify(await cnt(dax, Ta)); const cb = JSON.stringify(await cnt(ref, Tb));
          if (ca !== cb) { pass = false; detail.push(`Select COUNT: dax ${ca} ddb ${cb}`); }
        }
        const a = await runQuery(dax, Ta, steps);
        const b = await runQuery(ref, Tb, steps);
        const ja = JSON.stringify(a); const jb = JSON.stringify(b);
        if (steps === 'scan') {
          // scan order is the same for identical tables in DynamoDB Local; compare pages as sets too
          const sa = JSON.stringify(a.flatMap((p) => p.Items || []).map((x) => JSON.stringify(x)).sort());
          const sb = JSON.stringify(b.flatMap((p) => p.Items || []).map((x) => JSON.stringify(x)).sort());
          if (sa !== sb) { pass = false; detail.push(`items differ:\n  dax ${sa.slice(0, 600)}\n  ddb ${sb.slice(0, 600)}`); }
        } else if (ja !== jb) { pass = false; detail.push(`pages differ:\n  dax ${ja.slice(0, 800)}\n  ddb ${jb.slice(0, 800)}`); }
        detail.push(`${a.length} pages`);
      } else {
        for (const [m, mk] of steps) {
          const tmA = { [Ta]: 'T' }; const tmB = { [Tb]: 'T' };
          const a = await c.outcome(dax[m](mk(Ta)), tmA);
          const b = await c.outcome(ref[m](mk(Tb)), tmB);
          if (m === 'batchGetItem') for (const o of [a, b]) if (o.ok && o.ok.Responses && o.ok.Responses.T) o.ok.Responses.T.sort((x, y) => JSON.stringify(x) < JSON.stringify(y) ? -1 : 1);
          const ja = JSON.stringify(a); const jb = JSON.stringify(b);
          if (ja !== jb) { pass = false; detail.push(`${m}:\n  dax ${ja.slice(0, 800)}\n  ddb ${jb.slice(0, 800)}`); }
        }
      }
    } catch (e) {
      pass = false;
      detail.push('exception: ' + (e && e.stack || e));
    }
    results.push([label, name, pass]);
    console.log(`${pass ? 'ok  ' : 'FAIL'} interop ${label} ${name}${pass ? (typeof steps === 'string' ? ' (' + detail.join(', ') + ')' : '') : '\n    ' + detail.join('\n    ')}`);
  }
}

(async () => {
  const ddb = c.direct(ddbEndpoint);
  const ref = c.directWrap(ddb);
  const results = [];
  const clients = [['amazon-dax-client@1.2', c.daxV1, 'v1'], ['@amazon-dax-sdk/client-dax@3', c.daxV3, 'v3']];
  for (const [label, make, tag] of clients) {
    const run = Date.now().toString(36); const Ta = `Interop_${tag}_${run}_dax`; const Tb = `Interop_${tag}_${run}_ddb`;
    await c.createTable(ddb, Ta, true);
    await c.createTable(ddb, Tb, true);
    let dax;
    try {
      dax = make(daxEndpoint);
    } catch (e) {
      console.log(`FAIL interop ${label} client: ${e.message}`);
      results.push([label, 'client', false]);
      continue;
    }
    await runClient(label, dax, ref, Ta, Tb, results);
    dax.close();
  }
  // matrix
  const ops = [...new Set(results.map((r) => r[1]))];
  const labels = [...new Set(results.map((r) => r[0]))];
  console.log('interop matrix:');
  console.log('  ' + 'operation'.padEnd(14) + labels.map((l) => l.padEnd(32)).join(''));
  for (const o of ops) {
    console.log('  ' + o.padEnd(14) + labels.map((l) => {
      const r = results.find((x) => x[0] === l && x[1] === o);
      return (r ? (r[2] ? 'pass' : 'FAIL') : '-').padEnd(32);
    }).join(''));
  }
  ddb.destroy();
  process.exit(0);
})().catch((e) => { console.log('FAIL interop harness: ' + (e && e.stack || e)); process.exit(1); });
