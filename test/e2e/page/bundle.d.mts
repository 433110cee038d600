export declare const repoRoot: string;
export declare const pageBundle: string;
export declare const pageWasm: string;
export declare function pageBundleFresh(): boolean;
export declare function bundleTestPage(): Promise<number>;
export declare function ensureTestPage(log?: (line: string) => void): Promise<void>;
