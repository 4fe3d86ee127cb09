// Compiled only without @types/node: proves that nothing in the program declared Node's globals,
// so the other files were checked without them.
// @ts-expect-error Buffer is declared by @types/node only
export type NodeBuffer = Buffer;
