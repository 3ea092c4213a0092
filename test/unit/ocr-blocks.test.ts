// Lost closing braces restored at the empty lines the layout inferred from vertical gaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreLostClosers } from '../../model-host/engines/ocr/repair-blocks';

test("an inferred empty line where a block ends gets its brace back at the opener's indentation", () => {
  const lines = ['fn main() {', '    if x {', '        y();', '', '', '    z();', ''];
  const inferred = [false, false, false, true, true, false, true];
  assert.deepEqual(restoreLostClosers(lines, inferred), ['fn main() {', '    if x {', '        y();', '    }', '', '    z();', '}']);
});

test('a real blank line between members stays blank', () => {
  const lines = ['class A {', '    int a;', '', '    int b() {', '        return a;', '    }', '}'];
  assert.deepEqual(
    restoreLostClosers(
      lines,
      lines.map((l) => l === ''),
    ),
    lines,
  );
});

test('braces inside strings do not count, and lines the OCR read are never replaced', () => {
  const lines = ['printf("{");', '', 'x = 1;'];
  assert.deepEqual(restoreLostClosers(lines, [false, true, false]), lines);
});

test('a lost inner brace right before the outer one is restored; the outer one is not doubled', () => {
  const lines = ['fn f() {', '    match v {', '        _ => 1,', '', '}'];
  assert.deepEqual(restoreLostClosers(lines, [false, false, false, true, false]), ['fn f() {', '    match v {', '        _ => 1,', '    }', '}']);
  const own = ['if (a) {', '    b();', '', '}'];
  assert.deepEqual(restoreLostClosers(own, [false, false, true, false]), own);
});
