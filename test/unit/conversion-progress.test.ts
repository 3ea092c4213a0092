/** The converter's progress lines, read by the pull: counts parsed strictly, and the pull's report switching to them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONVERT_PROGRESS_PREFIX, parseConversionProgress } from '../../model-host/models/conversion-progress';
import { PullProgress } from '../../model-host/models/progress';
import type { ModelsProgressParams } from '../../model-host/protocol';

const counts = { tensorsDone: 3, tensorsTotal: 10, bytesDone: 300, bytesTotal: 1000 };

test('a progress line gives its counts; log lines and malformed or impossible counts give nothing', () => {
  assert.deepEqual(parseConversionProgress(`${CONVERT_PROGRESS_PREFIX}${JSON.stringify(counts)}`), counts);
  assert.equal(parseConversionProgress('decoder layer 2/24'), undefined);
  assert.equal(parseConversionProgress(`${CONVERT_PROGRESS_PREFIX}{not json`), undefined);
  assert.equal(parseConversionProgress(`${CONVERT_PROGRESS_PREFIX}${JSON.stringify({ ...counts, bytesDone: -1 })}`), undefined);
  assert.equal(parseConversionProgress(`${CONVERT_PROGRESS_PREFIX}${JSON.stringify({ ...counts, tensorsDone: 11 })}`), undefined);
  assert.equal(parseConversionProgress(`${CONVERT_PROGRESS_PREFIX}${JSON.stringify({ ...counts, bytesTotal: '1000' })}`), undefined);
  assert.equal(parseConversionProgress(`${CONVERT_PROGRESS_PREFIX}null`), undefined);
});

test('once the conversion counts, the pull reports its bytes, rate and time left instead of the download', () => {
  let t = 0;
  const seen: ModelsProgressParams[] = [];
  const progress = new PullProgress(
    'm',
    (p) => seen.push(p),
    0,
    () => t,
  );
  progress.addFile('model.safetensors', 5000, 5000);
  progress.convertsAfterDownload = true;
  progress.force('converting', 'converting m to ONNX');
  assert.deepEqual([seen[0].doneBytes, seen[0].totalBytes, seen[0].conversion], [5000, 5000, undefined]);
  progress.setConversion({ ...counts, bytesDone: 0 });
  t = 2000;
  progress.setConversion(counts);
  const last = seen[seen.length - 1];
  assert.deepEqual([last.phase, last.doneBytes, last.totalBytes, last.convertsAfterDownload], ['converting', 300, 1000, true]);
  assert.deepEqual(last.conversion, counts);
  assert.equal(last.bytesPerSecond, 150);
  assert.equal(last.etaSeconds, Math.ceil(700 / 150));
});
