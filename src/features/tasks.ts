/**
 * The visual coding features, registered from the composition root in one line: the palette
 * commands, the screenshot-to-code panel, and the inline Markdown / notebook actions.
 */
import type { FeatureDeps } from './feature-deps';
import { trackLastTextEditor } from './last-editor';
import { registerTaskCommands } from './tasks-commands';
import { registerScreenshotPanel } from '../panel/screenshot-panel';
import { registerMarkdownImageActions } from '../inline/markdown-image-actions';
import { registerNotebookImageActions } from '../inline/notebook-image-actions';

export function registerTasks(deps: FeatureDeps): void {
  deps.context.subscriptions.push(
    trackLastTextEditor(deps.vs),
    ...registerTaskCommands(deps),
    ...registerScreenshotPanel(deps),
    ...registerMarkdownImageActions(deps),
    ...registerNotebookImageActions(deps),
  );
}
