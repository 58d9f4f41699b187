// @nlpjs/basic ships no types; the adapter narrows what it uses.
declare module '@nlpjs/basic' {
  export function dockStart(settings?: unknown): Promise<{ get(name: string): unknown }>;
}
