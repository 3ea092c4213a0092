/**
 * Which program reads an image from the system clipboard on this platform. VS Code's clipboard API
 * is text-only, so the host asks the platform's own tool and says which one to install when none
 * is found.
 */

export interface ClipboardTool {
  /** Program name, as the user would install it. */
  name: string;
  command: string;
  args: string[];
  /** True when the tool writes PNG bytes to stdout; false when it writes the file itself. */
  stdout: boolean;
}

export interface ClipboardEnvironment {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** Whether a program is on PATH. */
  has(command: string): boolean;
}

/** The tools to try, best first, for this platform and session. `outFile` is where file-writing tools put the PNG. */
export function clipboardToolsFor(environment: ClipboardEnvironment, outFile: string): ClipboardTool[] {
  const { platform, env } = environment;
  if (platform === 'win32') {
    // Windows PowerShell ships with Windows; System.Windows.Forms reads the clipboard image.
    const script =
      'Add-Type -AssemblyName System.Windows.Forms; Add-Type -AssemblyName System.Drawing; ' +
      '$i = [System.Windows.Forms.Clipboard]::GetImage(); if ($i -eq $null) { exit 3 }; ' +
      `$i.Save('${outFile.replace(/'/g, "''")}', [System.Drawing.Imaging.ImageFormat]::Png)`;
    return [{ name: 'PowerShell', command: 'powershell.exe', args: ['-NoProfile', '-STA', '-Command', script], stdout: false }];
  }
  if (platform === 'darwin') {
    const script =
      `set f to open for access POSIX file "${outFile.replace(/"/g, '\\"')}" with write permission\n` +
      'write (the clipboard as «class PNGf») to f\nclose access f';
    return [{ name: 'osascript', command: 'osascript', args: ['-e', script], stdout: false }];
  }
  const wayland = { name: 'wl-clipboard', command: 'wl-paste', args: ['--no-newline', '--type', 'image/png'], stdout: true };
  const x11 = { name: 'xclip', command: 'xclip', args: ['-selection', 'clipboard', '-t', 'image/png', '-o'], stdout: true };
  // Under Wayland, wl-paste sees the real clipboard; xclip only sees XWayland's copy.
  const ordered = env.WAYLAND_DISPLAY ? [wayland, x11] : [x11, wayland];
  return ordered.filter((tool) => environment.has(tool.command));
}

/** What to tell the user when no tool is available. */
export function missingToolMessage(environment: ClipboardEnvironment): string {
  if (environment.platform === 'linux' || environment.platform === 'freebsd' || environment.platform === 'openbsd') {
    return environment.env.WAYLAND_DISPLAY
      ? 'Reading an image from the clipboard needs wl-paste: install wl-clipboard (e.g. `sudo apt install wl-clipboard`), or choose an image file instead.'
      : 'Reading an image from the clipboard needs xclip: install it (e.g. `sudo apt install xclip`), or choose an image file instead.';
  }
  return `Reading an image from the clipboard is not supported on ${environment.platform}; choose an image file instead.`;
}
