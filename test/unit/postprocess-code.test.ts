import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCode, isChatterLine } from '../../model-host/protocol/code-blocks';
import { findFencedBlocks, repairMarkdown } from '../../model-host/protocol/fences';
import { getTask } from '../../model-host/tasks/registry';

const ui = (raw: string, language = 'html') => getTask('ui-to-code').postprocess(raw, language);
const chart = (raw: string, language = 'python') => getTask('chart-to-code').postprocess(raw, language);
const flow = (raw: string, language = 'python') => getTask('flowchart-to-code').postprocess(raw, language);

test('chatty preamble and closing remarks around one html block are dropped', () => {
  const raw = `Sure! Here is the HTML code for the landing page you provided:

\`\`\`html
<!DOCTYPE html>
<html>
  <body class="bg-gray-100">
    <h1 class="text-3xl">Welcome</h1>
  </body>
</html>
\`\`\`

This code uses Tailwind CSS classes to style the page. Let me know if you need changes!`;
  assert.equal(ui(raw), '<!DOCTYPE html>\n<html>\n  <body class="bg-gray-100">\n    <h1 class="text-3xl">Welcome</h1>\n  </body>\n</html>\n');
});

test('among several blocks the one in the output language wins over a shell block and a shorter snippet', () => {
  const raw = `First install the dependencies:
\`\`\`bash
npm install react tailwindcss
\`\`\`
Here is the component:
\`\`\`jsx
export default function Card() {
  return (
    <div className="p-4 rounded shadow">
      <h2 className="font-bold">Pricing</h2>
    </div>
  );
}
\`\`\`
Use it like this:
\`\`\`jsx
<Card />
\`\`\``;
  const out = ui(raw, 'javascriptreact');
  assert.match(out, /^export default function Card\(\) \{/);
  assert.doesNotMatch(out, /npm install/);
  assert.doesNotMatch(out, /<Card \/>/);
});

test('a wrong language tag is tolerated when the content is clearly the language', () => {
  const raw = "```javascript\nimport matplotlib.pyplot as plt\nplt.bar(['a', 'b'], [3, 5])\nplt.show()\n```";
  assert.equal(chart(raw), "import matplotlib.pyplot as plt\nplt.bar(['a', 'b'], [3, 5])\nplt.show()\n");
});

test('a correctly tagged block beats an untagged one with other content', () => {
  const raw = '```\nThe chart shows sales by month.\n```\n```python\nimport plotly.express as px\nfig = px.line(x=[1, 2], y=[3, 4])\nfig.show()\n```';
  assert.match(chart(raw), /^import plotly\.express as px/);
});

test('a missing language tag is fine', () => {
  const raw = "Here you go:\n```\ndef main():\n    print('hi')\n```";
  assert.equal(flow(raw), "def main():\n    print('hi')\n");
});

test('an unclosed fence (cut off by the token limit) keeps everything after it', () => {
  const raw = 'Here is the code:\n```html\n<div class="flex">\n  <p>Hello</p>\n  <p>Wor';
  assert.equal(ui(raw), '<div class="flex">\n  <p>Hello</p>\n  <p>Wor\n');
});

test('an answer without fences loses its prose lines but keeps indentation', () => {
  const raw =
    "Certainly! Here's the Python code for the flowchart:\n\ndef is_even(n):\n    if n % 2 == 0:\n        return True\n    return False\n\nThis function checks whether a number is even.";
  assert.equal(flow(raw), 'def is_even(n):\n    if n % 2 == 0:\n        return True\n    return False\n');
});

test('an opening fence at the end of a prose line and a closing fence glued to code', () => {
  const raw = 'Here is the page: ```html\n<main>\n  <h1>Hi</h1>\n</main>```\nDone.';
  assert.equal(ui(raw), '<main>\n  <h1>Hi</h1>\n</main>\n');
});

test('tilde fences and longer backtick fences containing triple backticks', () => {
  assert.equal(extractCode('~~~python\nx = 1\n~~~', 'python'), 'x = 1\n');
  const raw = '````markdown\nText\n```js\nlet a = 1;\n```\n````';
  const blocks = findFencedBlocks(raw);
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0].code, 'Text\n```js\nlet a = 1;\n```');
});

test('CRLF line endings and trailing spaces are normalised', () => {
  assert.equal(extractCode('```py\r\nx = 1   \r\ny = 2\r\n```\r\n', 'python'), 'x = 1\ny = 2\n');
});

test('HTML + CSS answered as two blocks becomes one document with a <style>', () => {
  const raw =
    '```html\n<html>\n<head>\n<title>T</title>\n</head>\n<body><div class="box">x</div></body>\n</html>\n```\nAnd the CSS:\n```css\n.box { color: red; }\n```';
  const out = ui(raw);
  assert.match(out, /<style>\n\.box \{ color: red; \}\n<\/style>\n<\/head>/);
  assert.match(out, /<div class="box">x<\/div>/);
});

test('Vega-Lite JSON is pretty-printed when it parses, kept as is when cut off', () => {
  const ok = chart('```vega-lite\n{"mark":"bar","encoding":{"x":{"field":"a"}}}\n```', 'json');
  assert.equal(ok, '{\n  "mark": "bar",\n  "encoding": {\n    "x": {\n      "field": "a"\n    }\n  }\n}\n');
  const cut = chart('```json\n{"mark": "bar", "data": {"values": [{"a": 1}', 'json');
  assert.equal(cut, '{"mark": "bar", "data": {"values": [{"a": 1}\n');
});

test('Mermaid: untagged block recognised by its keyword; a stray "mermaid" first line is removed', () => {
  assert.equal(flow('```\nflowchart TD\n  A[Start] --> B{x > 0?}\n```', 'mermaid'), 'flowchart TD\n  A[Start] --> B{x > 0?}\n');
  assert.equal(flow('```\nmermaid\ngraph TD\n  A --> B\n```', 'mermaid'), 'graph TD\n  A --> B\n');
});

test('a Vue SFC tagged html is picked over a shell block', () => {
  const raw = '```sh\nnpm create vue@latest\n```\n```html\n<template>\n  <div>Hi</div>\n</template>\n<script setup>\n</script>\n```';
  assert.match(ui(raw, 'vue'), /^<template>/);
});

test('empty and whitespace answers give empty output', () => {
  assert.equal(ui(''), '');
  assert.equal(ui('   \n  '), '');
  assert.equal(ui('```html\n```'), '');
});

test('chatter detection', () => {
  assert.ok(isChatterLine('Sure, here is the code:'));
  assert.ok(isChatterLine('This component renders a card.'));
  assert.ok(isChatterLine('The code below draws the chart:'));
  assert.ok(!isChatterLine('def main():'));
  assert.ok(!isChatterLine('  return x'));
  assert.ok(!isChatterLine('<div class="a">'));
});

test('repairMarkdown closes a cut-off fence and unwraps a whole-answer markdown fence', () => {
  assert.equal(repairMarkdown('Intro\n```python\nx = 1'), 'Intro\n```python\nx = 1\n```');
  assert.equal(repairMarkdown('```markdown\n# Title\nText\n```'), '# Title\nText');
  assert.equal(repairMarkdown('Done.\n```js\nlet a;\n```'), 'Done.\n```js\nlet a;\n```');
});
