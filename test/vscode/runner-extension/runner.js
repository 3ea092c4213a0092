// Runs the compiled in-host suite with mocha inside this extension host — what @vscode/test-cli
// does in a desktop VS Code, for code-server, where tests cannot pass --extensionTestsPath.
// Environment (set by test/e2e/in-host-suite.e2e.test.ts through code-server):
//   VISUAL_CODER_INHOST_SUITE    folder with the compiled *.test.js files
//   VISUAL_CODER_INHOST_MOCHA    absolute path of the mocha package to load
//   VISUAL_CODER_INHOST_RESULTS  JSON file to write { passed: [...], failed: [{ title, error }] } to
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS extension, as VS Code loads it */
const fs = require('node:fs');
const path = require('node:path');

function activate() {
  const { VISUAL_CODER_INHOST_SUITE: suiteDir, VISUAL_CODER_INHOST_MOCHA: mochaPath, VISUAL_CODER_INHOST_RESULTS: resultsFile } = process.env;
  if (!suiteDir || !mochaPath || !resultsFile) return;
  const results = { passed: [], failed: [], done: false };
  const write = () => fs.writeFileSync(`${resultsFile}.tmp`, JSON.stringify(results, null, 2));
  const finish = () => {
    results.done = true;
    write();
    // Rename so the reader never sees a half-written file.
    fs.renameSync(`${resultsFile}.tmp`, resultsFile);
  };
  try {
    const Mocha = require(mochaPath);
    const mocha = new Mocha({ ui: 'tdd', timeout: 60000, color: false, reporter: 'spec' });
    for (const f of fs
      .readdirSync(suiteDir)
      .filter((n) => n.endsWith('.test.js'))
      .sort()) {
      mocha.addFile(path.join(suiteDir, f));
    }
    const runner = mocha.run(() => finish());
    runner.on('pass', (t) => results.passed.push(t.fullTitle()));
    runner.on('fail', (t, err) => results.failed.push({ title: t.fullTitle(), error: String((err && err.stack) || err) }));
  } catch (err) {
    results.failed.push({ title: 'runner', error: String((err && err.stack) || err) });
    finish();
  }
}

module.exports = { activate, deactivate() {} };
