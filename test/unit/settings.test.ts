/** The one settings reader: typed values with defaults, bad values ignored, remembered choices, change events by key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_AFFECTING_SETTINGS, lastChoiceKey, SETTING, Settings } from '../../src/settings/settings';
import { vscodeStub } from './vscode-stub';

test('defaults when nothing is set', () => {
  const s = new Settings(vscodeStub().vs);
  assert.equal(s.output, 'newEditor');
  assert.equal(s.ocrAugment, true);
  assert.deepEqual(s.generation, {});
  assert.equal(s.device, 'auto');
  assert.equal(s.modelsDir, undefined);
  assert.equal(s.model, undefined);
  assert.equal(s.httpProxy, undefined);
  assert.deepEqual(s.remote, { backend: 'local', endpoint: 'http://127.0.0.1:8000/v1', model: '', maxImageSide: 1024 });
});

test('set values are read typed and trimmed; nonsense falls back to the default', () => {
  const good = new Settings(
    vscodeStub({
      config: {
        [SETTING.output]: 'cursor',
        [SETTING.ocrAugmentedPrompts]: false,
        [SETTING.maxNewTokens]: 300,
        [SETTING.device]: 'webgpu',
        [SETTING.modelsDir]: ' /models ',
        [SETTING.model]: ' deepseek-vl-1.3b ',
        'http.proxy': ' http://proxy:3128 ',
      },
    }).vs,
  );
  assert.equal(good.output, 'cursor');
  assert.equal(good.ocrAugment, false);
  assert.deepEqual(good.generation, { maxNewTokens: 300 });
  assert.equal(good.device, 'webgpu');
  assert.equal(good.modelsDir, '/models');
  assert.equal(good.model, 'deepseek-vl-1.3b');
  assert.equal(good.httpProxy, 'http://proxy:3128');
  const bad = new Settings(
    vscodeStub({
      config: { [SETTING.output]: 'sideways', [SETTING.maxNewTokens]: -3, [SETTING.device]: 'tpu', [SETTING.model]: '   ' },
    }).vs,
  );
  assert.equal(bad.output, 'newEditor');
  assert.deepEqual(bad.generation, {});
  assert.equal(bad.device, 'auto');
  assert.equal(bad.model, undefined);
});

test('update writes the user setting; onDidChange reports only the watched keys that changed', async () => {
  const stub = vscodeStub();
  const s = new Settings(stub.vs);
  const seen: string[][] = [];
  s.onDidChange(HOST_AFFECTING_SETTINGS, (changed) => void seen.push(changed));
  await s.update(SETTING.model, 'janus-pro-1b');
  assert.equal(stub.config['visualCoder.model'], 'janus-pro-1b');
  assert.equal(s.model, 'janus-pro-1b');
  await s.update(SETTING.device, 'cpu');
  assert.deepEqual(seen, [['visualCoder.device']]);
});

test('remembered choices live in global state under a stable key', async () => {
  const stub = vscodeStub();
  const s = new Settings(stub.vs, stub.memento);
  assert.equal(s.lastChoice('ui-to-code', 'stack'), undefined);
  await s.rememberChoice('ui-to-code', 'stack', 'vue');
  assert.equal(s.lastChoice('ui-to-code', 'stack'), 'vue');
  assert.equal(stub.memento.get(lastChoiceKey('ui-to-code', 'stack')), 'vue');
  assert.equal(lastChoiceKey('ui-to-code', 'stack'), 'visualCoder.lastChoice.ui-to-code.stack');
});
