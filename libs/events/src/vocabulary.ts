import { AiAction, Area, Priority, Route } from '@handrail/contracts';

/**
 * The names people write (policy packs, reports, the CLI) for the contract's enums, derived from
 * `proto/`: `AREA_FAQ_STATUS` is `faq_status`, `ROUTE_AUTO_RESOLVED` is `auto_resolved`. A value the
 * proto adds becomes a name here without an edit, and every conversion is typed: no casts at call sites.
 */
type NameOf<E extends string, P extends string> = E extends `${P}UNSPECIFIED` ? never : E extends `${P}${infer R}` ? Lowercase<R> : never;

export type AreaName = NameOf<`${Area}`, 'AREA_'>;
export type RouteName = NameOf<`${Route}`, 'ROUTE_'>;
export type PriorityName = NameOf<`${Priority}`, 'PRIORITY_'>;
export type AiActionName = NameOf<`${AiAction}`, 'AI_ACTION_'>;

interface Vocabulary<E extends string, N extends string> {
  /** Every name, in the proto's order. */
  readonly names: readonly N[];
  /** The name of an enum value; undefined for UNSPECIFIED. */
  name(value: E): N | undefined;
  /** The enum value of a name. */
  value(name: N): E;
  /** The name `s` spells, if it is one. */
  parse(s: string): N | undefined;
}

function vocabulary<E extends string, P extends string>(values: Record<string, E>, prefix: P): Vocabulary<E, NameOf<E, P>> {
  type N = NameOf<E, P>;
  const byName = new Map<string, E>();
  const byValue = new Map<string, N>();
  for (const v of Object.values(values)) {
    if (v === `${prefix}UNSPECIFIED`) continue;
    // The one place a string becomes a name: NameOf<E, P> is exactly this transformation.
    const n = v.slice(prefix.length).toLowerCase() as N;
    byName.set(n, v);
    byValue.set(v, n);
  }
  const names = Object.freeze([...byValue.values()]);
  return Object.freeze({
    names,
    name: (value: E) => byValue.get(value),
    value: (name: N) => {
      const v = byName.get(name);
      if (v === undefined) throw new RangeError(`unknown ${prefix.toLowerCase()}name ${JSON.stringify(name)}`);
      return v;
    },
    parse: (s: string) => names.find((n) => n === s),
  });
}

export const AREA = vocabulary(Area, 'AREA_');
export const ROUTE = vocabulary(Route, 'ROUTE_');
export const PRIORITY = vocabulary(Priority, 'PRIORITY_');
/** In the proto's order, which is the order of autonomy: none < assist < draft < resolve. */
export const AI_ACTION = vocabulary(AiAction, 'AI_ACTION_');

/** The area's name, `unknown` for an unspecified area (display only: decisions never see it). */
export function areaLabel(a: Area): AreaName | 'unknown' {
  return AREA.name(a) ?? 'unknown';
}

/** The AI action's name; unspecified is `none` (default deny). */
export function actionName(a: AiAction): AiActionName {
  return AI_ACTION.name(a) ?? 'none';
}
