/**
 * Drives the VS Code web workbench the way a user does (command palette, quick picks, status bar,
 * notifications, editors) through Playwright. Selectors are VS Code 1.100's DOM classes.
 */
import type { Locator, Page } from 'playwright-core';
import { waitUntil } from './wait';

const QUICK_INPUT = '.quick-input-widget';
const IMAGE_FILE = /\.(png|jpe?g|gif|webp|bmp)$/i;
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_ROWS = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;
const TOAST = '.notifications-toasts .notification-toast-container .notification-list-item';
const CENTER_ITEM = '.notifications-center .notification-list-item';

export interface NotificationHandle {
  /** The message text. */
  text: string;
  /** Labels of its buttons. */
  buttons: string[];
  /** Clicks the button whose label matches (exactly, or the regex). */
  clickButton(label: string | RegExp): Promise<void>;
}

function matches(text: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

export class Workbench {
  constructor(readonly page: Page) {}

  /** Opens the quick input with F1 (retrying: the first key press can land before the workbench listens). */
  private async openPalette(): Promise<void> {
    await waitUntil(
      async () => {
        if (await this.page.locator(QUICK_INPUT).isVisible()) return true;
        await this.page.keyboard.press('F1');
        await this.page
          .locator(QUICK_INPUT_BOX)
          .waitFor({ state: 'visible', timeout: 2000 })
          .catch(() => undefined);
        return this.page.locator(QUICK_INPUT_BOX).isVisible();
      },
      { timeoutMs: 20_000, what: 'the command palette (F1) to open' },
    );
  }

  /** Labels of the rows the quick input shows now. */
  async quickItems(): Promise<string[]> {
    return this.page.locator(QUICK_ROWS).evaluateAll((rows) => rows.map((r) => (r.getAttribute('aria-label') ?? r.textContent ?? '').trim()));
  }

  /**
   * Runs a command from the palette by its title as shown there ("Visual Coder: Show Host Info").
   * Fails when no palette row matches, listing what was offered.
   */
  async runCommand(title: string, timeoutMs = 20_000): Promise<void> {
    await this.openPalette();
    await this.page.locator(QUICK_INPUT_BOX).fill(`>${title}`);
    await this.waitForQuickItem(title, timeoutMs);
    // Move the focus onto the command's row with the keyboard, then press Enter: a click can land on a
    // row that the filtering is still moving, and then runs another command or none.
    await waitUntil(
      async () => {
        const rows = await this.page
          .locator(QUICK_ROWS)
          .evaluateAll((els) =>
            els.map((e) => ({ name: (e.querySelector('.label-name')?.textContent ?? '').trim(), focused: e.classList.contains('focused') })),
          );
        // A command that opens more UI shows an ellipsis after its title ("Welcome: Open Walkthrough...").
        const target = rows.findIndex((r) => r.name.replace(/(\.\.\.|…)$/, '') === title.replace(/(\.\.\.|…)$/, ''));
        const focused = rows.findIndex((r) => r.focused);
        if (target < 0 || focused < 0) return undefined;
        if (target === focused) return true;
        await this.page.keyboard.press(target > focused ? 'ArrowDown' : 'ArrowUp');
        return undefined;
      },
      { timeoutMs, what: `"${title}" as the focused row of the palette`, describeLast: async () => JSON.stringify(await this.quickItems()) },
    );
    await this.page.keyboard.press('Enter');
    // The palette's text is gone once the command ran (a command with its own quick pick reuses the widget).
    await waitUntil(
      async () =>
        !(
          await this.page
            .locator(QUICK_INPUT_BOX)
            .inputValue({ timeout: 500 })
            .catch(() => '')
        ).startsWith('>') || undefined,
      {
        timeoutMs: 5_000,
        what: `the palette to run "${title}"`,
      },
    ).catch(() => undefined);
  }

  /** The row whose label is exactly `label` (a string), else the first whose label/aria-label matches. */
  private async waitForQuickItem(label: string | RegExp, timeoutMs: number): Promise<Locator> {
    return waitUntil(
      async () => {
        const rows = this.page.locator(QUICK_ROWS);
        const count = await rows.count();
        let first: Locator | undefined;
        for (let i = 0; i < count; i++) {
          const row = rows.nth(i);
          const name = (
            (await row
              .locator('.label-name')
              .first()
              .textContent()
              .catch(() => null)) ?? ''
          ).trim();
          if (typeof label === 'string' && name === label) return row;
          const text = (await row.getAttribute('aria-label')) ?? (await row.textContent()) ?? '';
          if (!first && (matches(name, label) || matches(text, label))) first = row;
        }
        return first;
      },
      {
        timeoutMs,
        what: `a quick-input row matching ${String(label)}`,
        describeLast: async () => JSON.stringify(await this.quickItems()),
      },
    );
  }

  /** Clicks the quick pick row whose label matches (a quick pick must be open). */
  async pickQuickItem(label: string | RegExp, timeoutMs = 20_000): Promise<void> {
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'visible', timeout: timeoutMs });
    const row = await this.waitForQuickItem(label, timeoutMs);
    await row.click();
  }

  /** Types into the open quick input / input box and presses Enter. */
  async typeInQuickInput(text: string, timeoutMs = 20_000): Promise<void> {
    await this.page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator(QUICK_INPUT_BOX).fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** Closes an open quick input, if any. */
  async dismissQuickInput(): Promise<void> {
    if (await this.page.locator(QUICK_INPUT).isVisible()) await this.page.keyboard.press('Escape');
  }

  /** Texts of all status bar items as `{ id, text, ariaLabel }`. */
  async statusBarItems(): Promise<Array<{ id: string; text: string; ariaLabel: string }>> {
    return this.page.locator('.statusbar-item').evaluateAll((els) =>
      els.map((e) => ({
        id: e.id,
        text: (e.textContent ?? '').trim(),
        ariaLabel: e.getAttribute('aria-label') ?? '',
      })),
    );
  }

  /**
   * The text of the status bar item whose element id contains `idOrText` (extension items have ids
   * like `visual-coder.visual-coder.<item id>`) or, failing that, whose text or aria-label contains it.
   * Returns undefined when there is none.
   */
  async statusBarText(idOrText: string): Promise<string | undefined> {
    const items = await this.statusBarItems();
    const item = items.find((i) => i.id.includes(idOrText)) ?? items.find((i) => i.text.includes(idOrText) || i.ariaLabel.includes(idOrText));
    return item?.text;
  }

  /** Waits until that status bar item's text matches `pattern`; returns the text. */
  async waitForStatusBar(idOrText: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return waitUntil(
      async () => {
        const text = await this.statusBarText(idOrText);
        return text !== undefined && pattern.test(text) ? text : undefined;
      },
      {
        timeoutMs,
        what: `status bar item ${idOrText} to match ${pattern}`,
        describeLast: async () => JSON.stringify(await this.statusBarItems()),
      },
    );
  }

  private async notificationTexts(): Promise<string[]> {
    return this.page.locator(`${TOAST}, ${CENTER_ITEM}`).evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
  }

  /** Waits for a notification (toast, or in the notification center) whose message matches. */
  async waitForNotification(pattern: RegExp, timeoutMs = 30_000): Promise<NotificationHandle> {
    const item = await waitUntil(
      async () => {
        const items = this.page.locator(`${TOAST}, ${CENTER_ITEM}`);
        const count = await items.count();
        for (let i = 0; i < count; i++) {
          const it = items.nth(i);
          const message = ((await it.locator('.notification-list-item-message').textContent()) ?? '').trim();
          if (pattern.test(message)) return { it, message };
        }
        return undefined;
      },
      { timeoutMs, what: `a notification matching ${pattern}`, describeLast: async () => JSON.stringify(await this.notificationTexts()) },
    );
    const buttonLocator = item.it.locator('.notification-list-item-buttons-container .monaco-button');
    const buttons = (await buttonLocator.allTextContents()).map((t) => t.trim());
    return {
      text: item.message,
      buttons,
      clickButton: async (label) => {
        const index = buttons.findIndex((b) => (typeof label === 'string' ? b === label : label.test(b)));
        if (index < 0) throw new Error(`notification "${item.message}" has no button ${String(label)}; it has ${JSON.stringify(buttons)}`);
        await buttonLocator.nth(index).click();
      },
    };
  }

  /** Opens a workspace file by its relative path through Quick Open and waits for its tab. */
  async openFile(relPath: string, timeoutMs = 20_000): Promise<void> {
    await this.openPalette();
    await this.page.locator(QUICK_INPUT_BOX).fill(relPath);
    const base = relPath.split('/').pop()!;
    const row = await this.waitForQuickItem(base, timeoutMs);
    await row.click();
    // Let Quick Open close: a next runCommand would otherwise type into the closing widget.
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: timeoutMs });
    await this.page
      .locator(`.tab.active[aria-label*="${base.replace(/"/g, '\\"')}"]`)
      .first()
      .waitFor({ state: 'visible', timeout: timeoutMs });
    // An image opens in VS Code's image preview, a webview that takes the focus once its frame has
    // loaded, which can be seconds later on a busy machine. A quick pick shown before that closes when
    // the frame takes the focus (the command then sees a cancelled pick), so wait for the frame.
    if (IMAGE_FILE.test(relPath)) {
      await waitUntil(() => this.page.evaluate(() => document.activeElement?.tagName === 'IFRAME') || undefined, {
        timeoutMs,
        what: `the image preview of ${base} to take the focus`,
      });
    }
  }

  /**
   * Text of the active editor, read from Monaco's rendered lines (sorted by position). Reliable for
   * documents that fit the viewport (the harness uses a tall one, ~70 lines); longer documents come
   * back truncated to what is rendered — for those, save and read the file from disk instead.
   */
  async activeEditorText(): Promise<string> {
    const editor = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    await editor.waitFor({ state: 'visible', timeout: 20_000 });
    return editor.evaluate((el) => {
      const lines = Array.from(el.querySelectorAll<HTMLElement>('.view-line'))
        .map((l) => ({ top: parseFloat(l.style.top || '0'), text: (l.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top);
      return lines.map((l) => l.text).join('\n');
    });
  }

  /**
   * Texts of every text editor on screen (all groups), read like `activeEditorText`. For results
   * opened beside the current editor, where which group ends up active depends on focus timing.
   */
  async visibleEditorTexts(): Promise<string[]> {
    return this.page.locator('.editor-group-container .monaco-editor .view-lines').evaluateAll((els) =>
      els.map((el) =>
        Array.from(el.querySelectorAll<HTMLElement>('.view-line'))
          .map((l) => ({ top: parseFloat(l.style.top || '0'), text: (l.textContent ?? '').replace(/\u00a0/g, ' ') }))
          .sort((a, b) => a.top - b.top)
          .map((l) => l.text)
          .join('\n'),
      ),
    );
  }

  /** Title of the active editor tab ("notes.md", "Untitled-1"). */
  async activeEditorTitle(): Promise<string | undefined> {
    const tab = this.page.locator('.editor-group-container.active .tab.active').first();
    return (await tab.count()) ? ((await tab.getAttribute('aria-label')) ?? undefined) : undefined;
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: false });
  }
}
