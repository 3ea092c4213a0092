import type * as vscode from 'vscode';
import type { ImageSource } from '../tasks/image-source';
import type { LastEditorTracker } from '../tasks/last-editor';
import type { TaskService } from '../tasks/task-service';
import type { Settings } from '../settings/settings';

/** What a feature that runs tasks on an image and writes into an editor is built with. */
export interface TaskFeatureDeps {
  vs: typeof vscode;
  tasks: TaskService;
  images: ImageSource;
  lastEditor: LastEditorTracker;
  settings: Settings;
  log: Pick<vscode.LogOutputChannel, 'info'>;
}
