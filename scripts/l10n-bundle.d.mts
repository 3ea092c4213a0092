export declare const BUNDLE: string;
export declare function extractMessages(root?: string): { messages: string[]; problems: string[] };
export declare function bundleText(messages: string[]): string;
