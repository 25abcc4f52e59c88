// Validates OpenAPI documents with @seriousme/openapi-schema-validator (the
// official OpenAPI 3.1 JSON schemas) and checks that every route the
// generated router serves is documented, and nothing else.
// usage: node validate.js OPENAPI.yaml [ROUTES.c]
'use strict';
const fs = require('fs');
const { Validator } = require('@seriousme/openapi-schema-validator');
const YAML = require('yaml');

(async () => {
  const [file, routesFile] = process.argv.slice(2);
  let pass = 0, fail = 0;
  const ok = (m) => { pass++; console.log(`ok   ${m}`); };
  const bad = (m) => { fail++; console.log(`FAIL ${m}`); };
  const v = new Validator();
  const r = await v.validate(file);
  if (r.valid) ok(`${file}: valid OpenAPI ${v.version}`);
  else bad(`${file}: ${JSON.stringify(r.errors).slice(0, 2000)}`);
  if (routesFile) {
    const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
    const documented = new Set();
    for (const [p, ops] of Object.entries(doc.paths || {}))
      for (const m of Object.keys(ops)) if (m !== 'parameters') documented.add(`${m.toUpperCase()} ${p}`);
    const served = new Set();
    const re = /\.method = "([A-Z]+)", \.pattern = "([^"]+)"/g;
    for (const m of fs.readFileSync(routesFile, 'utf8').matchAll(re)) served.add(`${m[1]} ${m[2]}`);
    const missing = [...served].filter((x) => !documented.has(x));
    const extra = [...documented].filter((x) => !served.has(x));
    if (served.size && !missing.length && !extra.length) ok(`${served.size} routes served = documented`);
    else bad(`routes: served but undocumented ${JSON.stringify(missing)}, documented but not served ${JSON.stringify(extra)}`);
  }
  console.log(`openapi-file: ${pass} passed, ${fail} failed`);
  process.exit(fail ? 1 : 0);
})();
