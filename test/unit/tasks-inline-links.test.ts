import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fencedBlock, findImageLinks } from '../../src/inline/markdown-image-links';
import { outputImageBytes } from '../../src/inline/notebook-image-actions';
import { readableImagePath, type WorkspaceScope } from '../../src/inline/markdown-image-actions';
import type * as vscode from 'vscode';

test('Markdown and HTML image references are found with their line and range', () => {
  const text = '# T\n\n![chart](img/a.png)\nSee <img alt="x" src="shots/b.jpg" width=20> and ![second](c.svg "Title").\n';
  const links = findImageLinks(text);
  assert.deepEqual(
    links.map((l) => [l.line, l.target]),
    [
      [2, 'img/a.png'],
      [3, 'shots/b.jpg'],
      [3, 'c.svg'],
    ],
  );
  assert.equal(text.split('\n')[2].slice(links[0].start, links[0].end), '![chart](img/a.png)');
});

test('angle-bracket and percent-encoded paths are decoded; remote and data images are skipped', () => {
  const links = findImageLinks(
    '![a](<my shots/a b.png>)\n![b](my%20c.png#frag)\n![r](https://x.org/a.png)\n![d](data:image/png;base64,AAA)\n<img src="//cdn/x.png">',
  );
  assert.deepEqual(
    links.map((l) => l.target),
    ['my shots/a b.png', 'my c.png'],
  );
});

test('images inside fenced code blocks are not offered', () => {
  const links = findImageLinks('```md\n![in](code.png)\n```\n![out](real.png)\n~~~\n<img src="x.png">\n~~~');
  assert.deepEqual(
    links.map((l) => l.target),
    ['real.png'],
  );
});

test('a fenced block below the image uses a fence longer than any backticks inside', () => {
  assert.equal(fencedBlock('x = 1\n', 'python'), '\n\n```python\nx = 1\n```');
  assert.equal(fencedBlock('a ```` b', 'markdown'), '\n\n`````markdown\na ```` b\n`````');
});

test('notebook image outputs: raw PNG bytes kept, base64 text decoded', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
  assert.deepEqual(outputImageBytes(png, 'image/png'), png);
  assert.deepEqual(outputImageBytes(Buffer.from(png.toString('base64') + '\n'), 'image/png'), png);
  assert.equal(outputImageBytes(Buffer.from('<svg/>'), 'image/svg+xml').toString(), '<svg/>');
});

test("inline actions read only images inside the document's workspace folder, and nothing in an untrusted workspace", () => {
  const folder = { uri: { fsPath: '/ws/project' } };
  const doc = (fsPath: string) => ({ uri: { scheme: 'file', fsPath } }) as unknown as vscode.TextDocument;
  const trusted = {
    isTrusted: true,
    getWorkspaceFolder: (u: { fsPath: string }) => (u.fsPath.startsWith('/ws/project/') ? folder : undefined),
  } as unknown as WorkspaceScope;
  const notes = doc('/ws/project/docs/notes.md');
  assert.equal(readableImagePath(trusted, notes, 'img/a.png'), '/ws/project/docs/img/a.png');
  assert.equal(readableImagePath(trusted, notes, '../shots/b.png'), '/ws/project/shots/b.png');
  for (const outside of ['/etc/passwd', '../../other/secret.png', '../../../home/u/.ssh/id_rsa.png']) {
    assert.equal(readableImagePath(trusted, notes, outside), undefined, outside);
  }
  assert.equal(readableImagePath(trusted, doc('/elsewhere/notes.md'), 'a.png'), undefined, 'a document outside every workspace folder');
  assert.equal(readableImagePath({ ...trusted, isTrusted: false } as WorkspaceScope, notes, 'img/a.png'), undefined, 'untrusted workspace');
  assert.equal(readableImagePath(trusted, { uri: { scheme: 'untitled', fsPath: 'x' } } as unknown as vscode.TextDocument, 'a.png'), undefined);
});
