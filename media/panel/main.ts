// The screenshot-to-code panel's script (runs inside the webview). Filled in by the panel work.
export {};
