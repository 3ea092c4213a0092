/** Choose Remote Model's list: image readers first, unknown next, text-only apart, and a probe entry while any is unknown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeProbe, remoteModelPicks } from '../../src/features/remote/remote-model-picks';
import type { RemoteModelInfo } from '../../model-host/protocol';

const details: RemoteModelInfo[] = [
  { id: 'llama-text', vision: 'no', source: 'LM Studio (type llm)' },
  { id: 'mystery', vision: 'unknown' },
  { id: 'qwen-vl', vision: 'yes', source: 'LM Studio (type vlm)' },
];

test('readers first, then unknown, then text-only under a separator, then the probe entry', () => {
  const picks = remoteModelPicks(details, 'mystery');
  assert.deepEqual(
    picks.map((p) => p.model ?? (p.probe ? 'probe' : `--${p.label}`)),
    ['qwen-vl', 'mystery', '--Text only: these cannot read the image', 'llama-text', '--', 'probe'],
  );
  assert.equal(picks[0].label, '$(eye) qwen-vl');
  assert.equal(picks[0].description, 'reads images');
  assert.equal(picks[1].description, 'current');
  assert.match(picks[1].detail ?? '', /does not say whether it reads images/);
  assert.equal(picks[3].description, 'text only');
  assert.match(picks[5].detail ?? '', /1 unknown model/);
});

test('with nothing unknown there is no probe entry; a probe answer replaces only unknown ones', () => {
  const known = mergeProbe(details, [
    { id: 'mystery', vision: 'yes', source: 'a one-pixel image it answered' },
    { id: 'qwen-vl', vision: 'no' },
  ]);
  assert.deepEqual(
    known.map((d) => [d.id, d.vision]),
    [
      ['llama-text', 'no'],
      ['mystery', 'yes'],
      ['qwen-vl', 'yes'],
    ],
  );
  assert.ok(!remoteModelPicks(known, undefined).some((p) => p.probe));
});
