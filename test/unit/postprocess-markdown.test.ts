import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getTask } from '../../model-host/tasks/registry';

const run = (id: string, raw: string) => getTask(id).postprocess(raw, getTask(id).language);

test('explanations stay Markdown, with prose, lists and code kept', () => {
  const raw = 'This function sums a list.\n\n1. It starts `total` at 0.\n2. It adds each item.\n\n```python\ntotal = sum(items)\n```\n';
  assert.equal(run('explain-code-image', raw), raw);
});

test('an explanation cut off inside a code block gets its fence closed', () => {
  const out = run('explain-code-image', 'Step 1:\n```python\nfor i in range(3):\n    print(i)');
  assert.equal(out, 'Step 1:\n```python\nfor i in range(3):\n    print(i)\n```\n');
});

test('find the bug: the untagged corrected block gets a language tag', () => {
  const raw =
    'The loop goes one past the end (`<=` should be `<`).\n\nCorrected code:\n```\nfor (let i = 0; i < items.length; i++) {\n  console.log(items[i]);\n}\n```';
  const out = run('find-bug-in-code-image', raw);
  assert.match(out, /```javascript\nfor \(let i = 0/);
  assert.match(out, /^The loop goes one past the end/);
});

test('find the bug: an answer wrapped in a markdown fence is unwrapped', () => {
  const out = run('find-bug-in-code-image', '```markdown\nBug: off by one.\n\n```python\nx = a[0]\n```\n```');
  assert.equal(out, 'Bug: off by one.\n\n```python\nx = a[0]\n```\n');
});

test('formula: $$ delimiters, \\[ \\], fences and chatter are removed', () => {
  assert.equal(run('formula-to-latex', 'The LaTeX code is:\n$$E = mc^2$$'), 'E = mc^2\n');
  assert.equal(run('formula-to-latex', 'Sure!\n\\[ \\frac{a}{b} \\]\nHope it helps.'), '\\frac{a}{b}\n');
  assert.equal(run('formula-to-latex', '```latex\n\\int_0^1 x^2 \\, dx\n```'), '\\int_0^1 x^2 \\, dx\n');
  assert.equal(run('formula-to-latex', 'Inline: $a^2 + b^2 = c^2$.'), 'a^2 + b^2 = c^2\n');
  assert.equal(run('formula-to-latex', '\\begin{equation}\n\\sum_{i=1}^n i\n\\end{equation}'), '\\sum_{i=1}^n i\n');
  assert.equal(run('formula-to-latex', '\\sqrt{x}'), '\\sqrt{x}\n');
});

test('table: chatter dropped, separator row added, short rows padded', () => {
  const raw = 'Here is the table in markdown:\n\n| Name | Age |\n| Alice | 30 |\n| Bob | 2\n\nLet me know!';
  assert.equal(run('table-to-markdown', raw), '| Name | Age |\n| --- | --- |\n| Alice | 30 |\n| Bob | 2 |\n');
});

test('table: an existing separator with alignment is normalised, fenced tables are read', () => {
  const raw = '```markdown\n|a|b|c|\n|:--|:-:|--:|\n|1|2|3|\n```';
  assert.equal(run('table-to-markdown', raw), '| a | b | c |\n| --- | --- | --- |\n| 1 | 2 | 3 |\n');
});

test('table: rows without outer pipes are accepted', () => {
  assert.equal(run('table-to-markdown', 'x | y\n1 | 2'), '| x | y |\n| --- | --- |\n| 1 | 2 |\n');
});

test('transcribed code keeps indentation and drops trailing spaces', () => {
  assert.equal(run('transcribe-code', '\ndef f():  \n    return 1\n\n'), 'def f():\n    return 1\n');
});
