export declare const PEER_PREFIXES: readonly string[];
export declare function countedAs(method: string, key: string): string;
