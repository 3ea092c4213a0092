// Types of scripts/install-extension.mjs for the TypeScript e2e harness.
export declare function installExtension(extensionRoot: string, extensionsDir: string): { id: string; folder: string };
