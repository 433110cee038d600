export declare const SYNAPSE_VERSION: string;
export declare const repoRoot: string;
export declare const venvDir: string;
export declare const outputDir: string;
export declare function venvPython(): string;
export declare function synapseInstalled(): boolean;
export declare function ensureSynapse(opts?: { log?: (line: string) => void }): Promise<{ installed: boolean; seconds: number; python: string }>;
