// @nlpjs/basic ships no types; the adapter narrows what it uses.
declare module '@nlpjs/basic' {
  export function dockStart(settings?: unknown): Promise<{ get(name: string): unknown }>;
  export function containerBootstrap(): Promise<{ use(plugin: unknown): void; get(name: string): unknown }>;
  export const Nlp: unknown;
  export const LangEn: unknown;
}
