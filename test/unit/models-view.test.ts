import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelPickItems, progressMessage, ProgressIncrements } from '../../src/features/models/models-view';
import { modelStatusText } from '../../src/features/models/models-status';
import { formatBytes as formatSize } from '../../model-host/protocol/format';
import type { ModelsListResult, ModelsProgressParams } from '../../model-host/protocol';

const preset = (id: string, installed: boolean) => ({
  id,
  displayName: id.toUpperCase(),
  family: 'x',
  repo: `org/${id}`,
  revision: 'main',
  sizeBytes: 2.2e9,
  licence: 'Apache-2.0',
  minGpuMemoryGb: 4,
  goodAt: 'Reading text',
  installed,
});
const list: ModelsListResult = {
  presets: [preset('a', true), preset('b', false), preset('c', false)],
  installed: [
    { id: 'a', dir: '/m/a', family: 'x', verifiedFiles: 3, local: false },
    { id: 'mine', dir: '/home/me/model', family: 'y', verifiedFiles: 0, local: true },
  ],
  recommended: { id: 'c', reason: 'cpu only' },
};

test('the model pick puts the recommendation first with its reason, marks installed and active', () => {
  const items = modelPickItems(list, 'a');
  assert.deepEqual(
    items.map((i) => i.id ?? i.action),
    ['c', 'a', 'b', 'mine', 'register-folder'],
  );
  assert.equal(items[0].label, '$(star-full) C');
  assert.match(items[0].detail, /^Recommended: cpu only\. Reading text\. Licence: Apache-2\.0$/);
  assert.match(items[0].description, /not installed · about 2\.2 GB · ≥4 GB GPU/);
  assert.equal(items[1].label, '$(check) A');
  assert.match(items[1].description, /^installed/);
  assert.equal(items[3].description, 'your folder');
  assert.deepEqual(
    modelPickItems(list, undefined, true).map((i) => i.id),
    ['c', 'b'],
  );
});

test('progress messages carry bytes, percent, rate and time left; increments add up to 100', () => {
  const p = (doneBytes: number, phase: ModelsProgressParams['phase'] = 'downloading'): ModelsProgressParams => ({
    id: 'a',
    phase,
    doneBytes,
    totalBytes: 2e9,
    bytesPerSecond: 25e6,
    etaSeconds: Math.round((2e9 - doneBytes) / 25e6),
    files: [],
  });
  assert.equal(progressMessage(p(5e8)), '500 MB of 2.0 GB (25%) · 25 MB/s · 1 min 0 s left');
  assert.equal(progressMessage({ ...p(0, 'listing'), message: 'listing org/a@main' }), 'listing org/a@main');
  const inc = new ProgressIncrements();
  const steps = [p(5e8), p(5e8), p(1.5e9), p(2e9, 'done')].map((x) => inc.next(x));
  assert.deepEqual(steps, [25, 0, 50, 25]);
  assert.equal(formatSize(999), '999 B');
});

test('a conversion after the download says tensors and bytes done, and the bar gives the download its share first', () => {
  const base = { id: 'a', bytesPerSecond: 0, files: [], convertsAfterDownload: true };
  const downloading: ModelsProgressParams = { ...base, phase: 'downloading', doneBytes: 1e9, totalBytes: 2e9 };
  const conversion = { tensorsDone: 120, tensorsTotal: 339, bytesDone: 1.2e9, bytesTotal: 2.9e9 };
  const converting: ModelsProgressParams = { ...base, phase: 'converting', doneBytes: 1.2e9, totalBytes: 2.9e9, etaSeconds: 40, conversion };
  assert.equal(progressMessage(converting), 'converting to ONNX: 120 of 339 tensors, 1.2 GB of 2.9 GB (41%) · 40 s left');
  assert.equal(progressMessage({ ...converting, conversion: undefined, message: 'decoder layer 2/24' }), 'converting to ONNX… decoder layer 2/24');
  const inc = new ProgressIncrements();
  const steps = [
    downloading,
    { ...downloading, phase: 'verifying', doneBytes: 2e9 } as ModelsProgressParams,
    { ...converting, conversion: undefined },
    { ...converting, conversion: { ...conversion, bytesDone: 1.45e9 } },
    { ...converting, phase: 'done' } as ModelsProgressParams,
  ].map((x) => inc.next(x));
  assert.deepEqual(
    steps.map((x) => Math.round(x)),
    [35, 35, 0, 15, 15],
  );
});

test('the status item names the active model briefly', () => {
  assert.equal(modelStatusText(undefined), '$(package) No model');
  assert.equal(modelStatusText('janus-pro-1b'), '$(package) janus-pro-1b');
  assert.equal(modelStatusText('org--tiny'), '$(package) tiny');
  assert.equal(modelStatusText('/home/me/models/my-vlm/'), '$(package) my-vlm');
});
