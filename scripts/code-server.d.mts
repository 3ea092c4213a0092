// Types of scripts/code-server.mjs for the TypeScript e2e harness.
export declare const CODE_SERVER_VERSION: string;
export declare function codeServerDir(): string;
export declare function codeServerEntry(dir?: string): string;
export declare function isCodeServerInstalled(dir?: string): boolean;
export declare function ensureCodeServer(options?: { log?: (message: string) => void }): Promise<string>;
export declare function codeServerArgs(options: {
  entry: string;
  bindAddr: string;
  configFile: string;
  userDataDir: string;
  extensionsDir: string;
  extra?: string[];
}): string[];
