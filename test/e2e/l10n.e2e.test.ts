/**
 * The extension speaks the display language: code-server started in the pseudo-locale (with a
 * language pack of our own, test/e2e/fixtures/pseudo-language-pack) and our installed copy given
 * pseudo translations of package.nls.json and l10n/bundle.l10n.json. The palette's command title
 * (manifest), the image picker's placeholder and the status bar item (vscode.l10n.t at run time)
 * then show the translations, not the English.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { VsCodeSession, repoRoot, waitUntil } from './harness';
import { pseudo, writePseudoTranslations } from './fixtures/pseudo-locale';

let vs: VsCodeSession;

before(async () => {
  vs = await VsCodeSession.launch({
    locale: { id: 'qps-ploc', languagePack: join(repoRoot, 'test', 'e2e', 'fixtures', 'pseudo-language-pack') },
    prepareExtension: writePseudoTranslations,
    settings: { 'visualCoder.device': 'cpu' },
  });
});

after(async () => {
  await vs?.close();
});

test('in the pseudo-locale the palette, the picker and the status bar show the translated strings', async () => {
  // The manifest: category and title from package.nls.qps-ploc.json.
  await vs.runCommand(`${pseudo('Visual Coder')}: ${pseudo('Screenshot to Code')}`);
  // Run time: the image picker's placeholder from bundle.l10n.qps-ploc.json.
  const placeholder = await waitUntil(async () => (await vs.page.locator('.quick-input-box input').first().getAttribute('placeholder')) || undefined, {
    what: 'the image picker',
  });
  assert.equal(placeholder, pseudo('Image source'));
  const rows = await vs.quickItems();
  assert.ok(
    rows.some((r) => r.includes('Ímágé fróm thé clípbóárd')),
    JSON.stringify(rows),
  );
  await vs.page.keyboard.press('Escape');
  // The host's status item, written by describeHostStatus through t().
  const status = await vs.waitForStatusBar('visualCoder.hostStatus', /Vísúál Códér/, 60_000);
  assert.doesNotMatch(status, /Visual Coder/);
});
