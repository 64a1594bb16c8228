// Adds up the counters of every TRX file under a folder and prints one line per test assembly and the
// plain closing line "N passed, N failed, N skipped". Exits 1 if anything failed or nothing ran.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const root = process.argv[2];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".trx")) files.push(path);
  }
};
walk(root);

let passed = 0, failed = 0, skipped = 0;
for (const file of files) {
  const xml = readFileSync(file, "utf8");
  const counters = /<Counters\b([^>]*)\/?>/.exec(xml);
  if (!counters) throw new Error(`no <Counters> in ${file}`);
  const attr = (name) => Number((new RegExp(`\\b${name}="(\\d+)"`).exec(counters[1]) ?? [0, 0])[1]);
  const storage = (/<UnitTest\b[^>]*\bstorage="([^"]+)"/.exec(xml) ?? [, file])[1];
  const p = attr("passed"), f = attr("failed") + attr("error") + attr("timeout") + attr("aborted");
  const s = attr("total") - attr("executed") + attr("notExecuted");
  passed += p; failed += f; skipped += s;
  console.log(`${storage.split(/[\\/]/).pop()}: ${p} passed, ${f} failed, ${s} skipped`);
  for (const m of xml.matchAll(/<UnitTestResult\b[^>]*testName="([^"]+)"[^>]*outcome="Failed"/g)) {
    console.log(`  FAILED ${m[1]}`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
