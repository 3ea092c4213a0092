// Types of test/vscode/build-suite.mjs for the TypeScript e2e test.
export declare const suiteOutDir: string;
export declare function buildInHostSuite(): Promise<string>;
